"""The ``stockpilot`` command line. Each module here holds one command or group."""

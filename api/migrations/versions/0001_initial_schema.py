"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 06:26:39.297046
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('entity_type', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('item',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=False),
    sa.Column('unit_cost', sa.Float(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('unit_volume_m3', sa.Float(), nullable=False),
    sa.Column('holding_rate_per_year', sa.Float(), nullable=False),
    sa.Column('lifecycle', sa.String(length=16), nullable=False),
    sa.Column('launch_date', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("lifecycle IN ('new','presale','active','phase-out')", name=op.f('ck_item_lifecycle_valid')),
    sa.CheckConstraint('holding_rate_per_year >= 0', name=op.f('ck_item_holding_nonneg')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_item_price_nonneg')),
    sa.CheckConstraint('unit_cost >= 0', name=op.f('ck_item_unit_cost_nonneg')),
    sa.CheckConstraint('unit_volume_m3 >= 0', name=op.f('ck_item_volume_nonneg')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_item'))
    )
    op.create_table('location',
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('capacity_volume_m3', sa.Float(), nullable=True),
    sa.Column('outbound_units_per_day', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("type IN ('warehouse','region','store','factory')", name=op.f('ck_location_type_valid')),
    sa.CheckConstraint('capacity_volume_m3 IS NULL OR capacity_volume_m3 >= 0', name=op.f('ck_location_capacity_nonneg')),
    sa.CheckConstraint('outbound_units_per_day IS NULL OR outbound_units_per_day >= 0', name=op.f('ck_location_outbound_nonneg')),
    sa.ForeignKeyConstraint(['parent_id'], ['location.location_id'], name=op.f('fk_location_parent_id_location')),
    sa.PrimaryKeyConstraint('location_id', name=op.f('pk_location'))
    )
    op.create_table('scenario',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario')),
    sa.UniqueConstraint('name', name=op.f('uq_scenario_name'))
    )
    op.create_table('supplier',
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('order_cost', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('order_cost >= 0', name=op.f('ck_supplier_order_cost_nonneg')),
    sa.PrimaryKeyConstraint('supplier_id', name=op.f('pk_supplier'))
    )
    op.create_table('buffer',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('on_hand', sa.Float(), nullable=False),
    sa.Column('on_order', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_buffer_on_hand_nonneg')),
    sa.CheckConstraint('on_order IS NULL OR on_order >= 0', name=op.f('ck_buffer_on_order_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_buffer_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_buffer_location_id_location')),
    sa.PrimaryKeyConstraint('item_id', 'location_id', name=op.f('pk_buffer'))
    )
    op.create_table('event',
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('demand_factor', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('festival','promotion','holiday','closure')", name=op.f('ck_event_kind_valid')),
    sa.CheckConstraint('demand_factor IS NULL OR demand_factor > 0', name=op.f('ck_event_factor_positive')),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_event_dates_ordered')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_event_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_event_location_id_location')),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event'))
    )
    op.create_table('itemdistribution',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('origin_id', sa.String(length=64), nullable=False),
    sa.Column('destination_id', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('transit_days', sa.Float(), nullable=False),
    sa.Column('cost_per_unit', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cost_per_unit >= 0', name=op.f('ck_itemdistribution_cost_nonneg')),
    sa.CheckConstraint('transit_days >= 0', name=op.f('ck_itemdistribution_transit_nonneg')),
    sa.ForeignKeyConstraint(['destination_id'], ['location.location_id'], name=op.f('fk_itemdistribution_destination_id_location')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_itemdistribution_item_id_item')),
    sa.ForeignKeyConstraint(['origin_id'], ['location.location_id'], name=op.f('fk_itemdistribution_origin_id_location')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itemdistribution'))
    )
    op.create_table('itemsupplier',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('unit_cost', sa.Float(), nullable=False),
    sa.Column('lead_time_days', sa.Float(), nullable=False),
    sa.Column('lead_time_std_days', sa.Float(), nullable=True),
    sa.Column('size_minimum', sa.Float(), nullable=False),
    sa.Column('size_multiple', sa.Integer(), nullable=False),
    sa.Column('size_maximum', sa.Float(), nullable=True),
    sa.Column('capacity_per_week', sa.Float(), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('effective_start', sa.Date(), nullable=True),
    sa.Column('effective_end', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity_per_week IS NULL OR capacity_per_week >= 0', name=op.f('ck_itemsupplier_capacity_nonneg')),
    sa.CheckConstraint('lead_time_days >= 0', name=op.f('ck_itemsupplier_lead_time_nonneg')),
    sa.CheckConstraint('lead_time_std_days IS NULL OR lead_time_std_days >= 0', name=op.f('ck_itemsupplier_lead_time_std_nonneg')),
    sa.CheckConstraint('priority >= 1', name=op.f('ck_itemsupplier_priority_positive')),
    sa.CheckConstraint('size_maximum IS NULL OR size_maximum > 0', name=op.f('ck_itemsupplier_max_positive')),
    sa.CheckConstraint('size_minimum >= 0', name=op.f('ck_itemsupplier_moq_nonneg')),
    sa.CheckConstraint('size_multiple >= 1', name=op.f('ck_itemsupplier_case_pack_positive')),
    sa.CheckConstraint('unit_cost >= 0', name=op.f('ck_itemsupplier_unit_cost_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_itemsupplier_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_itemsupplier_location_id_location')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.supplier_id'], name=op.f('fk_itemsupplier_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_itemsupplier'))
    )
    op.create_table('plan_run',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('horizon_weeks', sa.Integer(), nullable=True),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('input_hash', sa.String(length=64), nullable=True),
    sa.Column('versions', sa.JSON(), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('kpis', sa.JSON(), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('queued','running','succeeded','failed','cancelled')", name=op.f('ck_plan_run_status_valid')),
    sa.CheckConstraint('progress >= 0 AND progress <= 1', name=op.f('ck_plan_run_progress_share')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenario.id'], name=op.f('fk_plan_run_scenario_id_scenario')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_run'))
    )
    op.create_table('presale_campaign',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('deposit_start', sa.Date(), nullable=False),
    sa.Column('deposit_end', sa.Date(), nullable=False),
    sa.Column('final_start', sa.Date(), nullable=False),
    sa.Column('final_end', sa.Date(), nullable=False),
    sa.Column('deposit_amount', sa.Float(), nullable=False),
    sa.Column('deposit_value', sa.Float(), nullable=False),
    sa.Column('final_discount', sa.Float(), nullable=False),
    sa.Column('price', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('deposits_total', sa.Float(), nullable=True),
    sa.Column('final_payments', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('planned','open','closed')", name=op.f('ck_presale_campaign_status_valid')),
    sa.CheckConstraint('deposit_amount >= 0 AND deposit_value >= deposit_amount', name=op.f('ck_presale_campaign_deposit_values')),
    sa.CheckConstraint('deposit_end >= deposit_start', name=op.f('ck_presale_campaign_deposit_window')),
    sa.CheckConstraint('deposits_total IS NULL OR deposits_total >= 0', name=op.f('ck_presale_campaign_deposits_nonneg')),
    sa.CheckConstraint('final_discount >= 0 AND price > 0', name=op.f('ck_presale_campaign_prices')),
    sa.CheckConstraint('final_end >= final_start', name=op.f('ck_presale_campaign_final_window')),
    sa.CheckConstraint('final_payments IS NULL OR final_payments >= 0', name=op.f('ck_presale_campaign_payments_nonneg')),
    sa.CheckConstraint('final_start >= deposit_end', name=op.f('ck_presale_campaign_final_after_deposit')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_presale_campaign_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_presale_campaign_location_id_location')),
    sa.PrimaryKeyConstraint('campaign_id', name=op.f('pk_presale_campaign'))
    )
    op.create_table('sale',
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('qty', sa.Float(), nullable=False),
    sa.Column('promo', sa.Float(), nullable=True),
    sa.Column('price', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price IS NULL OR price >= 0', name=op.f('ck_sale_price_nonneg')),
    sa.CheckConstraint('promo IS NULL OR (promo >= 0 AND promo <= 1)', name=op.f('ck_sale_promo_share')),
    sa.CheckConstraint('qty >= 0', name=op.f('ck_sale_qty_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_sale_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_sale_location_id_location')),
    sa.PrimaryKeyConstraint('item_id', 'location_id', 'date', name=op.f('pk_sale'))
    )
    op.create_table('alert',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=True),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=True),
    sa.Column('location_id', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("severity IN ('info','warning','critical')", name=op.f('ck_alert_severity_valid')),
    sa.CheckConstraint("status IN ('open','acknowledged','closed')", name=op.f('ck_alert_status_valid')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_alert_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_alert_location_id_location')),
    sa.ForeignKeyConstraint(['plan_run_id'], ['plan_run.id'], name=op.f('fk_alert_plan_run_id_plan_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_plan_run_id'), ['plan_run_id'], unique=False)

    op.create_table('forecast',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('p10', sa.Float(), nullable=False),
    sa.Column('p50', sa.Float(), nullable=False),
    sa.Column('p90', sa.Float(), nullable=False),
    sa.Column('quantiles', sa.JSON(), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('mean >= 0 AND p10 >= 0 AND p50 >= 0 AND p90 >= 0', name=op.f('ck_forecast_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_forecast_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_forecast_location_id_location')),
    sa.ForeignKeyConstraint(['plan_run_id'], ['plan_run.id'], name=op.f('fk_forecast_plan_run_id_plan_run')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast')),
    sa.UniqueConstraint('plan_run_id', 'item_id', 'location_id', 'date', name=op.f('uq_forecast_plan_run_id_item_id_location_id_date'))
    )
    op.create_table('operationplan',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('order_ref', sa.String(length=64), nullable=True),
    sa.Column('type', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.String(length=64), nullable=False),
    sa.Column('origin_id', sa.String(length=64), nullable=True),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('quantity_proposed', sa.Float(), nullable=False),
    sa.Column('quantity_confirmed', sa.Float(), nullable=True),
    sa.Column('quantity_shipped', sa.Float(), nullable=True),
    sa.Column('quantity_received', sa.Float(), nullable=True),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('confirmed_date', sa.Date(), nullable=True),
    sa.Column('unit_cost', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('proposed','approved','released','accepted','changed','rejected','shipped','received','closed','cancelled')", name=op.f('ck_operationplan_status_valid')),
    sa.CheckConstraint("type <> 'DO' OR origin_id IS NOT NULL", name=op.f('ck_operationplan_do_has_origin')),
    sa.CheckConstraint("type <> 'PO' OR supplier_id IS NOT NULL", name=op.f('ck_operationplan_po_has_supplier')),
    sa.CheckConstraint("type IN ('PO','DO','MO')", name=op.f('ck_operationplan_type_valid')),
    sa.CheckConstraint('due_date >= order_date', name=op.f('ck_operationplan_dates_ordered')),
    sa.CheckConstraint('quantity_confirmed IS NULL OR quantity_confirmed >= 0', name=op.f('ck_operationplan_qty_confirmed_nonneg')),
    sa.CheckConstraint('quantity_proposed >= 0', name=op.f('ck_operationplan_qty_proposed_nonneg')),
    sa.CheckConstraint('quantity_received IS NULL OR quantity_received >= 0', name=op.f('ck_operationplan_qty_received_nonneg')),
    sa.CheckConstraint('quantity_shipped IS NULL OR quantity_shipped >= 0', name=op.f('ck_operationplan_qty_shipped_nonneg')),
    sa.ForeignKeyConstraint(['item_id'], ['item.item_id'], name=op.f('fk_operationplan_item_id_item')),
    sa.ForeignKeyConstraint(['location_id'], ['location.location_id'], name=op.f('fk_operationplan_location_id_location')),
    sa.ForeignKeyConstraint(['origin_id'], ['location.location_id'], name=op.f('fk_operationplan_origin_id_location')),
    sa.ForeignKeyConstraint(['plan_run_id'], ['plan_run.id'], name=op.f('fk_operationplan_plan_run_id_plan_run')),
    sa.ForeignKeyConstraint(['supplier_id'], ['supplier.supplier_id'], name=op.f('fk_operationplan_supplier_id_supplier')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operationplan')),
    sa.UniqueConstraint('reference', name=op.f('uq_operationplan_reference'))
    )
    with op.batch_alter_table('operationplan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operationplan_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operationplan_order_ref'), ['order_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_operationplan_plan_run_id'), ['plan_run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operationplan_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('presale_deposit',
    sa.Column('campaign_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('deposits', sa.Float(), nullable=False),
    sa.Column('cancellations', sa.Float(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('cancellations IS NULL OR cancellations >= 0', name=op.f('ck_presale_deposit_cancellations_nonneg')),
    sa.CheckConstraint('deposits >= 0', name=op.f('ck_presale_deposit_deposits_nonneg')),
    sa.ForeignKeyConstraint(['campaign_id'], ['presale_campaign.campaign_id'], name=op.f('fk_presale_deposit_campaign_id_presale_campaign')),
    sa.PrimaryKeyConstraint('campaign_id', 'date', name=op.f('pk_presale_deposit'))
    )
    # natural keys with an optional part: a blank (NULL) part is a value of its own
    op.create_index("uq_itemsupplier_key", "itemsupplier",
                    ["item_id", "supplier_id", sa.text("coalesce(location_id, '')")], unique=True)
    op.create_index("uq_itemdistribution_key", "itemdistribution",
                    ["origin_id", "destination_id", sa.text("coalesce(item_id, '')")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_itemdistribution_key", table_name="itemdistribution")
    op.drop_index("uq_itemsupplier_key", table_name="itemsupplier")
    op.drop_table('presale_deposit')
    with op.batch_alter_table('operationplan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operationplan_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_operationplan_plan_run_id'))
        batch_op.drop_index(batch_op.f('ix_operationplan_order_ref'))
        batch_op.drop_index(batch_op.f('ix_operationplan_item_id'))

    op.drop_table('operationplan')
    op.drop_table('forecast')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_plan_run_id'))

    op.drop_table('alert')
    op.drop_table('sale')
    op.drop_table('presale_campaign')
    op.drop_table('plan_run')
    op.drop_table('itemsupplier')
    op.drop_table('itemdistribution')
    op.drop_table('event')
    op.drop_table('buffer')
    op.drop_table('supplier')
    op.drop_table('scenario')
    op.drop_table('location')
    op.drop_table('item')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')

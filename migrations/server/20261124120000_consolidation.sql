-- Consolidated projections: the device tables of every device of a pharmacy, one set per
-- tenant (tenant_id leads every key). Written by the same projection rows as the devices
-- (pharma_core::projection), so the server cannot disagree with a counter. Financial
-- facts, stock movements and the audit trail are never updated or deleted here either.

CREATE TABLE applied_facts (
    tenant_id uuid NOT NULL,
    doc_id text NOT NULL,
    fact_key text NOT NULL,
    PRIMARY KEY (tenant_id, doc_id, fact_key)
);

CREATE TABLE pharmacy (
    tenant_id uuid NOT NULL,
    singleton bigint,
    id text NOT NULL,
    legal_name text NOT NULL,
    ice text NOT NULL,
    address text NOT NULL,
    time_zone text NOT NULL,
    variance_threshold bigint NOT NULL,
    retention_financial_years bigint NOT NULL,
    retention_audit_years bigint NOT NULL,
    anonymization_days bigint NOT NULL,
    PRIMARY KEY (tenant_id, singleton)
);

CREATE TABLE registers (
    tenant_id uuid NOT NULL,
    id text,
    code text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE users (
    tenant_id uuid NOT NULL,
    id text,
    login text NOT NULL,
    display_name text NOT NULL,
    role text NOT NULL,
    status text NOT NULL,
    pin_hash text,
    password_hash text,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE items (
    tenant_id uuid NOT NULL,
    id text,
    name text NOT NULL,
    active_substance text NOT NULL,
    dosage text NOT NULL,
    form text NOT NULL,
    presentation text NOT NULL,
    category text NOT NULL,
    tax_category text NOT NULL,
    barcode text,
    barcode_scannable boolean NOT NULL,
    schedule text NOT NULL,
    reimbursement_pct bigint NOT NULL,
    origin text,
    hospital_price bigint,
    unit_cost bigint NOT NULL,
    reorder_point bigint NOT NULL,
    reorder_quantity bigint NOT NULL,
    pack_size bigint NOT NULL,
    expiry_tracked boolean NOT NULL,
    active boolean NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE item_prices (
    tenant_id uuid NOT NULL,
    id text,
    item_id text NOT NULL,
    ppv bigint NOT NULL,
    effective_from date NOT NULL,
    set_by text,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE lots (
    tenant_id uuid NOT NULL,
    id text,
    item_id text NOT NULL,
    lot_number text NOT NULL,
    expiry date NOT NULL,
    sticker_price bigint,
    unit_cost bigint NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE lot_flags (
    tenant_id uuid NOT NULL,
    lot_id text,
    recalled boolean NOT NULL,
    recall_reason text NOT NULL,
    PRIMARY KEY (tenant_id, lot_id)
);

CREATE TABLE stock_movements (
    tenant_id uuid NOT NULL,
    id text,
    item_id text NOT NULL,
    lot_id text NOT NULL,
    qty bigint NOT NULL,
    kind text NOT NULL,
    source_id text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE lot_stock (
    tenant_id uuid NOT NULL,
    lot_id text,
    item_id text NOT NULL,
    on_hand bigint NOT NULL,
    PRIMARY KEY (tenant_id, lot_id)
);

CREATE TABLE item_stock (
    tenant_id uuid NOT NULL,
    item_id text,
    on_hand bigint NOT NULL,
    PRIMARY KEY (tenant_id, item_id)
);

CREATE TABLE cash_sessions (
    tenant_id uuid NOT NULL,
    id text,
    register_id text NOT NULL,
    device_id text NOT NULL,
    business_date date NOT NULL,
    duty boolean NOT NULL,
    opened_by text NOT NULL,
    opened_at timestamptz NOT NULL,
    float_total bigint NOT NULL,
    float_count jsonb NOT NULL,
    status text NOT NULL,
    closed_by text,
    closed_at timestamptz,
    expected jsonb,
    reconciliation text,
    variance jsonb,
    approved_by text,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE tickets (
    tenant_id uuid NOT NULL,
    register_id text NOT NULL,
    ticket_no bigint NOT NULL,
    kind text NOT NULL,
    ref_id text NOT NULL,
    PRIMARY KEY (tenant_id, register_id, ticket_no)
);

CREATE TABLE sales (
    tenant_id uuid NOT NULL,
    id text,
    session_id text NOT NULL,
    register_id text NOT NULL,
    ticket_no bigint NOT NULL,
    business_date date NOT NULL,
    at timestamptz NOT NULL,
    sold_by text NOT NULL,
    total bigint NOT NULL,
    change_due bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE sale_lines (
    tenant_id uuid NOT NULL,
    id text,
    sale_id text NOT NULL,
    line_no bigint NOT NULL,
    item_id text NOT NULL,
    name text NOT NULL,
    qty bigint NOT NULL,
    unit_price bigint NOT NULL,
    total bigint NOT NULL,
    vat_rate_bp bigint NOT NULL,
    vat bigint NOT NULL,
    schedule text NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE payments (
    tenant_id uuid NOT NULL,
    owner_id text NOT NULL,
    idx bigint NOT NULL,
    direction text NOT NULL,
    session_id text NOT NULL,
    kind text NOT NULL,
    amount bigint NOT NULL,
    reference text,
    PRIMARY KEY (tenant_id, owner_id, idx)
);

CREATE TABLE refunds (
    tenant_id uuid NOT NULL,
    id text,
    session_id text NOT NULL,
    register_id text NOT NULL,
    ticket_no bigint NOT NULL,
    original_sale_id text NOT NULL,
    business_date date NOT NULL,
    at timestamptz NOT NULL,
    refunded_by text NOT NULL,
    reason text NOT NULL,
    total bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE refund_lines (
    tenant_id uuid NOT NULL,
    refund_id text NOT NULL,
    line_no bigint NOT NULL,
    sale_line_id text NOT NULL,
    item_id text NOT NULL,
    qty bigint NOT NULL,
    amount bigint NOT NULL,
    vat_rate_bp bigint NOT NULL,
    vat bigint NOT NULL,
    PRIMARY KEY (tenant_id, refund_id, line_no)
);

CREATE TABLE cash_movements (
    tenant_id uuid NOT NULL,
    id text,
    session_id text NOT NULL,
    kind text NOT NULL,
    amount bigint NOT NULL,
    reason text NOT NULL,
    moved_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE cash_counts (
    tenant_id uuid NOT NULL,
    id text,
    session_id text NOT NULL,
    counted_by text NOT NULL,
    at timestamptz NOT NULL,
    cash_total bigint NOT NULL,
    cash_count jsonb NOT NULL,
    other jsonb NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE reconciliation_steps (
    tenant_id uuid NOT NULL,
    id text,
    session_id text NOT NULL,
    kind text NOT NULL,
    tender text NOT NULL,
    amount_impact bigint NOT NULL,
    description text NOT NULL,
    performed_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE z_closings (
    tenant_id uuid NOT NULL,
    id text,
    register_id text NOT NULL,
    z_no bigint NOT NULL,
    business_date date NOT NULL,
    sessions jsonb NOT NULL,
    sales_count bigint NOT NULL,
    refunds_count bigint NOT NULL,
    sales_total bigint NOT NULL,
    refunds_total bigint NOT NULL,
    by_tender jsonb NOT NULL,
    vat jsonb NOT NULL,
    grand_total_before bigint NOT NULL,
    grand_total_after bigint NOT NULL,
    closed_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, register_id, z_no),
    UNIQUE (tenant_id, register_id, business_date)
);

CREATE TABLE ordonnancier (
    tenant_id uuid NOT NULL,
    number text,
    register_id text NOT NULL,
    sale_id text NOT NULL,
    sale_line_id text NOT NULL,
    at timestamptz NOT NULL,
    item_id text NOT NULL,
    item_name text NOT NULL,
    schedule text NOT NULL,
    qty bigint NOT NULL,
    prescriber text NOT NULL,
    patient text NOT NULL,
    prescribed_on date,
    PRIMARY KEY (tenant_id, number)
);

CREATE TABLE stock_counts (
    tenant_id uuid NOT NULL,
    id text,
    counted_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE stock_count_lines (
    tenant_id uuid NOT NULL,
    count_id text NOT NULL,
    lot_id text NOT NULL,
    item_id text NOT NULL,
    expected bigint NOT NULL,
    counted bigint NOT NULL,
    PRIMARY KEY (tenant_id, count_id, lot_id)
);

CREATE TABLE stock_adjustments (
    tenant_id uuid NOT NULL,
    id text,
    item_id text NOT NULL,
    lot_id text NOT NULL,
    delta bigint NOT NULL,
    reason text NOT NULL,
    note text NOT NULL,
    adjusted_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE supplier_orders (
    tenant_id uuid NOT NULL,
    id text,
    supplier text NOT NULL,
    expected_on date,
    status text NOT NULL,
    total bigint NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE supplier_order_lines (
    tenant_id uuid NOT NULL,
    id text,
    order_id text NOT NULL,
    item_id text NOT NULL,
    qty_ordered bigint NOT NULL,
    qty_received bigint NOT NULL,
    unit_cost bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE goods_receipts (
    tenant_id uuid NOT NULL,
    id text,
    order_id text NOT NULL,
    received_by text NOT NULL,
    at timestamptz NOT NULL,
    over_confirmed boolean NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE audit_log (
    tenant_id uuid NOT NULL,
    id text,
    device_id text NOT NULL,
    seq bigint NOT NULL,
    at timestamptz NOT NULL,
    actor text,
    event text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    metadata jsonb NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, device_id, seq)
);

-- Nothing financial is updated or deleted: corrections are new entries.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER sales_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON sales FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER sale_lines_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON sale_lines FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON payments FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER refunds_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON refunds FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER refund_lines_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON refund_lines FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tickets_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cash_movements_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON cash_movements FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER cash_counts_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON cash_counts FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER reconciliation_steps_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON reconciliation_steps FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER z_closings_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON z_closings FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ordonnancier_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ordonnancier FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON stock_movements FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

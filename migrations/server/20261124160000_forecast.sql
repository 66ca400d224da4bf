-- Demand per item and day, forecast runs and snapshots, managers' feedback (projections
-- of the devices' and the server's documents, as on the devices), and each pharmacy's
-- replenishment settings (server-side configuration, not a projection).

CREATE TABLE item_day_sales (
    tenant_id uuid NOT NULL,
    item_id text NOT NULL,
    day date NOT NULL,
    qty bigint NOT NULL,
    PRIMARY KEY (tenant_id, item_id, day)
);

CREATE TABLE item_day_stock (
    tenant_id uuid NOT NULL,
    item_id text NOT NULL,
    day date NOT NULL,
    net bigint NOT NULL,
    PRIMARY KEY (tenant_id, item_id, day)
);

-- Fill them from what was consolidated before this migration.
INSERT INTO item_day_sales (tenant_id, item_id, day, qty)
    SELECT l.tenant_id, l.item_id, s.business_date, SUM(l.qty)
    FROM sale_lines l JOIN sales s ON s.tenant_id = l.tenant_id AND s.id = l.sale_id
    GROUP BY l.tenant_id, l.item_id, s.business_date;
INSERT INTO item_day_stock (tenant_id, item_id, day, net)
    SELECT tenant_id, item_id, (at AT TIME ZONE 'UTC')::date, SUM(qty)
    FROM stock_movements GROUP BY tenant_id, item_id, (at AT TIME ZONE 'UTC')::date;

CREATE TABLE forecast_runs (
    tenant_id uuid NOT NULL,
    id text NOT NULL,
    generated_at timestamptz NOT NULL,
    first_day date NOT NULL,
    horizon_days bigint NOT NULL,
    lead_time_days bigint NOT NULL,
    review_days bigint NOT NULL,
    service_level_bp bigint NOT NULL,
    model_version text NOT NULL,
    items bigint NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX forecast_runs_latest ON forecast_runs (tenant_id, generated_at DESC);

-- Demand figures in hundredths of a box.
CREATE TABLE forecast_snapshots (
    tenant_id uuid NOT NULL,
    run_id text NOT NULL,
    item_id text NOT NULL,
    generated_at timestamptz NOT NULL,
    first_day date NOT NULL,
    horizon_days bigint NOT NULL,
    expected_x100 bigint NOT NULL,
    low_x100 bigint NOT NULL,
    high_x100 bigint NOT NULL,
    at_service_level_x100 bigint NOT NULL,
    on_hand bigint NOT NULL,
    usable_on_hand bigint NOT NULL,
    on_order bigint NOT NULL,
    recommended_qty bigint NOT NULL CHECK (recommended_qty >= 0),
    expiry_cap bigint,
    bias_pct bigint NOT NULL,
    method text NOT NULL,
    demand_class text NOT NULL,
    rationale text NOT NULL,
    model_version text NOT NULL,
    PRIMARY KEY (tenant_id, run_id, item_id)
);
CREATE INDEX forecast_snapshots_item ON forecast_snapshots (tenant_id, item_id, generated_at DESC);

CREATE TABLE forecast_feedback (
    tenant_id uuid NOT NULL,
    id text NOT NULL,
    run_id text NOT NULL,
    item_id text NOT NULL,
    verdict text NOT NULL CHECK (verdict IN ('accurate', 'under', 'over')),
    comment text NOT NULL,
    given_by text NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX forecast_feedback_item ON forecast_feedback (tenant_id, item_id, at DESC);
CREATE TRIGGER forecast_feedback_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON forecast_feedback
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- How each pharmacy replenishes: a row only where it differs from the defaults.
CREATE TABLE forecast_settings (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (tenant_id),
    lead_time_days integer NOT NULL CHECK (lead_time_days >= 0),
    review_days integer NOT NULL CHECK (review_days >= 0),
    service_level_bp integer NOT NULL CHECK (service_level_bp BETWEEN 5000 AND 9990),
    CHECK (lead_time_days + review_days BETWEEN 1 AND 90)
);

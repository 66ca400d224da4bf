-- Demand per item and day (what the forecast reads) and the forecast runs the server
-- sends back. All projections: rebuilt from the documents by `pharmactl rebuild`.

-- Units sold per item and business day (running sum of sale lines).
CREATE TABLE item_day_sales (
    item_id  TEXT NOT NULL,
    day      TEXT NOT NULL,
    qty      INTEGER NOT NULL,
    PRIMARY KEY (item_id, day)
) STRICT;

-- Net stock movement per item and UTC day (running sum of stock_movements).
CREATE TABLE item_day_stock (
    item_id  TEXT NOT NULL,
    day      TEXT NOT NULL,
    net      INTEGER NOT NULL,
    PRIMARY KEY (item_id, day)
) STRICT;

-- A database made before these tables: fill them from what is already projected.
INSERT INTO item_day_sales (item_id, day, qty)
    SELECT l.item_id, s.business_date, SUM(l.qty)
    FROM sale_lines l JOIN sales s ON s.id = l.sale_id
    GROUP BY l.item_id, s.business_date;
INSERT INTO item_day_stock (item_id, day, net)
    SELECT item_id, substr(at, 1, 10), SUM(qty) FROM stock_movements GROUP BY item_id, substr(at, 1, 10);

CREATE TABLE forecast_runs (
    id                TEXT PRIMARY KEY,
    generated_at      TEXT NOT NULL,
    first_day         TEXT NOT NULL,
    horizon_days      INTEGER NOT NULL,
    lead_time_days    INTEGER NOT NULL,
    review_days       INTEGER NOT NULL,
    service_level_bp  INTEGER NOT NULL,
    model_version     TEXT NOT NULL,
    items             INTEGER NOT NULL
) STRICT;

-- Demand figures in hundredths of a box. A device keeps the newest run's lines only
-- (store::project); the server keeps every run.
CREATE TABLE forecast_snapshots (
    run_id                 TEXT NOT NULL,
    item_id                TEXT NOT NULL,
    generated_at           TEXT NOT NULL,
    first_day              TEXT NOT NULL,
    horizon_days           INTEGER NOT NULL,
    expected_x100          INTEGER NOT NULL,
    low_x100               INTEGER NOT NULL,
    high_x100              INTEGER NOT NULL,
    at_service_level_x100  INTEGER NOT NULL,
    on_hand                INTEGER NOT NULL,
    usable_on_hand         INTEGER NOT NULL,
    on_order               INTEGER NOT NULL,
    recommended_qty        INTEGER NOT NULL,
    expiry_cap             INTEGER,
    bias_pct               INTEGER NOT NULL,
    method                 TEXT NOT NULL,
    demand_class           TEXT NOT NULL,
    rationale              TEXT NOT NULL,
    model_version          TEXT NOT NULL,
    PRIMARY KEY (run_id, item_id)
) STRICT;
CREATE INDEX forecast_snapshots_item ON forecast_snapshots(item_id, generated_at);

CREATE TABLE forecast_feedback (
    id        TEXT PRIMARY KEY,
    run_id    TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    verdict   TEXT NOT NULL CHECK (verdict IN ('accurate', 'under', 'over')),
    comment   TEXT NOT NULL,
    given_by  TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX forecast_feedback_item ON forecast_feedback(item_id, at);

CREATE TRIGGER forecast_feedback_no_update BEFORE UPDATE ON forecast_feedback
BEGIN SELECT RAISE(ABORT, 'forecast_feedback est en ajout seul'); END;
CREATE TRIGGER forecast_feedback_no_delete BEFORE DELETE ON forecast_feedback
BEGIN SELECT RAISE(ABORT, 'forecast_feedback est en ajout seul'); END;

-- Device store, first schema.
--
-- Source of truth: the Automerge documents (documents + doc_changes). Every other table is
-- a projection: a deterministic function of the documents, written in the same
-- transaction as the change, and rebuildable (`pharmactl rebuild`).
-- Money columns are integer centimes. Instants are UTC RFC 3339 text; business dates are
-- ISO dates in the pharmacy's calendar.

CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    doc_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Append-only: one row per Automerge change, in the order this device stored them.
CREATE TABLE doc_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL REFERENCES documents(doc_id),
    hash        BLOB NOT NULL UNIQUE,
    bytes       BLOB NOT NULL,
    local       INTEGER NOT NULL,
    stored_at   TEXT NOT NULL
) STRICT;
CREATE INDEX doc_changes_doc ON doc_changes(doc_id, seq);

-- Local to this device, never synced: sign-in failures and lock-outs.
CREATE TABLE sign_in_attempts (
    user_id      TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until TEXT
) STRICT;

-- ---------------------------------------------------------------- projections

CREATE TABLE applied_facts (
    doc_id      TEXT NOT NULL,
    fact_key    TEXT NOT NULL,
    PRIMARY KEY (doc_id, fact_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE pharmacy (
    singleton              INTEGER PRIMARY KEY CHECK (singleton = 1),
    id                     TEXT NOT NULL,
    legal_name             TEXT NOT NULL,
    ice                    TEXT NOT NULL,
    address                TEXT NOT NULL,
    time_zone              TEXT NOT NULL,
    variance_threshold     INTEGER NOT NULL,
    retention_financial_years INTEGER NOT NULL,
    retention_audit_years  INTEGER NOT NULL,
    anonymization_days     INTEGER NOT NULL
) STRICT;

CREATE TABLE registers (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner','manager','cashier','accountant','auditor')),
    status        TEXT NOT NULL CHECK (status IN ('active','suspended')),
    pin_hash      TEXT,
    password_hash TEXT
) STRICT;
CREATE INDEX users_login ON users(login);

CREATE TABLE items (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    active_substance  TEXT NOT NULL,
    dosage            TEXT NOT NULL,
    form              TEXT NOT NULL,
    presentation      TEXT NOT NULL,
    category          TEXT NOT NULL,
    tax_category      TEXT NOT NULL,
    barcode           TEXT,
    barcode_scannable INTEGER NOT NULL,
    schedule          TEXT NOT NULL,
    reimbursement_pct INTEGER NOT NULL,
    origin            TEXT,
    hospital_price    INTEGER,
    unit_cost         INTEGER NOT NULL,
    reorder_point     INTEGER NOT NULL,
    reorder_quantity  INTEGER NOT NULL,
    pack_size         INTEGER NOT NULL,
    expiry_tracked    INTEGER NOT NULL,
    active            INTEGER NOT NULL
) STRICT;
-- Not UNIQUE: two offline devices may create the same code; the service refuses a
-- duplicate it can see, and a merged duplicate surfaces in `stock alerts`.
CREATE INDEX items_barcode ON items(barcode) WHERE barcode_scannable = 1;

CREATE TABLE item_prices (
    id              TEXT PRIMARY KEY,
    item_id         TEXT NOT NULL,
    ppv             INTEGER NOT NULL,
    effective_from  TEXT NOT NULL,
    set_by          TEXT,
    at              TEXT NOT NULL
) STRICT;
CREATE INDEX item_prices_item ON item_prices(item_id, effective_from, id);

CREATE TABLE lots (
    id             TEXT PRIMARY KEY,
    item_id        TEXT NOT NULL,
    lot_number     TEXT NOT NULL,
    expiry         TEXT NOT NULL,
    sticker_price  INTEGER,
    unit_cost      INTEGER NOT NULL,
    created_at     TEXT NOT NULL
) STRICT;
CREATE INDEX lots_item ON lots(item_id, expiry);

CREATE TABLE lot_flags (
    lot_id         TEXT PRIMARY KEY,
    recalled       INTEGER NOT NULL,
    recall_reason  TEXT NOT NULL
) STRICT;

-- Every change of stock, from its source fact. Stock on hand is their sum.
CREATE TABLE stock_movements (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL,
    lot_id       TEXT NOT NULL,
    qty          INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    source_id    TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX stock_movements_lot ON stock_movements(lot_id);
CREATE INDEX stock_movements_item ON stock_movements(item_id, at);

-- Running sums of stock_movements (additive, so their order never matters).
CREATE TABLE lot_stock (
    lot_id   TEXT PRIMARY KEY,
    item_id  TEXT NOT NULL,
    on_hand  INTEGER NOT NULL
) STRICT;
CREATE INDEX lot_stock_item ON lot_stock(item_id);
CREATE TABLE item_stock (
    item_id  TEXT PRIMARY KEY,
    on_hand  INTEGER NOT NULL
) STRICT;

CREATE TABLE cash_sessions (
    id               TEXT PRIMARY KEY,
    register_id      TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    business_date    TEXT NOT NULL,
    duty             INTEGER NOT NULL,
    opened_by        TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    float_total      INTEGER NOT NULL,
    float_count      TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open','pending_reconciliation','closed')),
    closed_by        TEXT,
    closed_at        TEXT,
    expected         TEXT,
    reconciliation   TEXT CHECK (reconciliation IN ('draft','escalated','closed')),
    variance         TEXT,
    approved_by      TEXT
) STRICT;
CREATE INDEX cash_sessions_register ON cash_sessions(register_id, status);

-- Gapless per register: sales and refunds share one sequence.
CREATE TABLE tickets (
    register_id  TEXT NOT NULL,
    ticket_no    INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('sale','refund')),
    ref_id       TEXT NOT NULL,
    PRIMARY KEY (register_id, ticket_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE sales (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL,
    register_id    TEXT NOT NULL,
    ticket_no      INTEGER NOT NULL,
    business_date  TEXT NOT NULL,
    at             TEXT NOT NULL,
    sold_by        TEXT NOT NULL,
    total          INTEGER NOT NULL,
    change_due     INTEGER NOT NULL
) STRICT;
CREATE INDEX sales_session ON sales(session_id);
CREATE INDEX sales_date ON sales(business_date);

CREATE TABLE sale_lines (
    id            TEXT PRIMARY KEY,
    sale_id       TEXT NOT NULL,
    line_no       INTEGER NOT NULL,
    item_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    qty           INTEGER NOT NULL,
    unit_price    INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    vat_rate_bp   INTEGER NOT NULL,
    vat           INTEGER NOT NULL,
    schedule      TEXT NOT NULL
) STRICT;
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);
CREATE INDEX sale_lines_item ON sale_lines(item_id);

CREATE TABLE payments (
    owner_id    TEXT NOT NULL,
    idx         INTEGER NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('in','out')),
    session_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    amount      INTEGER NOT NULL,
    reference   TEXT,
    PRIMARY KEY (owner_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX payments_session ON payments(session_id);

CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY,
    session_id         TEXT NOT NULL,
    register_id        TEXT NOT NULL,
    ticket_no          INTEGER NOT NULL,
    original_sale_id   TEXT NOT NULL,
    business_date      TEXT NOT NULL,
    at                 TEXT NOT NULL,
    refunded_by        TEXT NOT NULL,
    reason             TEXT NOT NULL,
    total              INTEGER NOT NULL
) STRICT;
CREATE INDEX refunds_original ON refunds(original_sale_id);

CREATE TABLE refund_lines (
    refund_id     TEXT NOT NULL,
    line_no       INTEGER NOT NULL,
    sale_line_id  TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    qty           INTEGER NOT NULL,
    amount        INTEGER NOT NULL,
    vat_rate_bp   INTEGER NOT NULL,
    vat           INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE cash_movements (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('pay_in','pay_out')),
    amount      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    moved_by    TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

CREATE TABLE cash_counts (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL,
    counted_by  TEXT NOT NULL,
    at          TEXT NOT NULL,
    cash_total  INTEGER NOT NULL,
    cash_count  TEXT NOT NULL,
    other       TEXT NOT NULL
) STRICT;

CREATE TABLE reconciliation_steps (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('adjustment','transaction_fix','escalation','write_off')),
    tender         TEXT NOT NULL,
    amount_impact  INTEGER NOT NULL,
    description    TEXT NOT NULL,
    performed_by   TEXT NOT NULL,
    at             TEXT NOT NULL
) STRICT;

CREATE TABLE z_closings (
    id                  TEXT PRIMARY KEY,
    register_id         TEXT NOT NULL,
    z_no                INTEGER NOT NULL,
    business_date       TEXT NOT NULL,
    sessions            TEXT NOT NULL,
    sales_count         INTEGER NOT NULL,
    refunds_count       INTEGER NOT NULL,
    sales_total         INTEGER NOT NULL,
    refunds_total       INTEGER NOT NULL,
    by_tender           TEXT NOT NULL,
    vat                 TEXT NOT NULL,
    grand_total_before  INTEGER NOT NULL,
    grand_total_after   INTEGER NOT NULL,
    closed_by           TEXT NOT NULL,
    at                  TEXT NOT NULL,
    UNIQUE (register_id, z_no),
    UNIQUE (register_id, business_date)
) STRICT;

-- The register of dispensed prescriptions for listed drugs (tableaux A, B, C).
CREATE TABLE ordonnancier (
    number         TEXT PRIMARY KEY,
    register_id    TEXT NOT NULL,
    sale_id        TEXT NOT NULL,
    sale_line_id   TEXT NOT NULL,
    at             TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    item_name      TEXT NOT NULL,
    schedule       TEXT NOT NULL,
    qty            INTEGER NOT NULL,
    prescriber     TEXT NOT NULL,
    patient        TEXT NOT NULL,
    prescribed_on  TEXT
) STRICT;

CREATE TABLE stock_counts (
    id          TEXT PRIMARY KEY,
    counted_by  TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;
CREATE TABLE stock_count_lines (
    count_id   TEXT NOT NULL,
    lot_id     TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    expected   INTEGER NOT NULL,
    counted    INTEGER NOT NULL,
    PRIMARY KEY (count_id, lot_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE stock_adjustments (
    id        TEXT PRIMARY KEY,
    item_id   TEXT NOT NULL,
    lot_id    TEXT NOT NULL,
    delta     INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    note      TEXT NOT NULL,
    adjusted_by TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;

CREATE TABLE supplier_orders (
    id            TEXT PRIMARY KEY,
    supplier      TEXT NOT NULL,
    expected_on   TEXT,
    status        TEXT NOT NULL CHECK (status IN ('draft','submitted','partially_received','closed','cancelled')),
    total         INTEGER NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;
CREATE TABLE supplier_order_lines (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    qty_ordered    INTEGER NOT NULL,
    qty_received   INTEGER NOT NULL,
    unit_cost      INTEGER NOT NULL
) STRICT;
CREATE INDEX supplier_order_lines_order ON supplier_order_lines(order_id);
CREATE TABLE goods_receipts (
    id             TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL,
    received_by    TEXT NOT NULL,
    at             TEXT NOT NULL,
    over_confirmed INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    device_id      TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    at             TEXT NOT NULL,
    actor          TEXT,
    event          TEXT NOT NULL,
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    metadata       TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    UNIQUE (device_id, seq)
) STRICT;

-- The narcotics ledger: every receipt and issue of a tableau B product.
CREATE VIEW narcotics_ledger AS
    SELECT m.at, m.item_id, i.name, m.lot_id, l.lot_number, m.qty, m.kind, m.source_id
    FROM stock_movements m JOIN items i ON i.id = m.item_id LEFT JOIN lots l ON l.id = m.lot_id
    WHERE i.schedule = 'B';

-- ---------------------------------------------------------------- immutability
-- Financial facts, stock movements, the journal and the audit trail are never updated or
-- deleted: corrections are new entries. A rebuild writes a fresh file instead.
CREATE TRIGGER doc_changes_no_update BEFORE UPDATE ON doc_changes BEGIN SELECT RAISE(ABORT, 'doc_changes is append-only'); END;
CREATE TRIGGER doc_changes_no_delete BEFORE DELETE ON doc_changes BEGIN SELECT RAISE(ABORT, 'doc_changes is append-only'); END;
CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales BEGIN SELECT RAISE(ABORT, 'sales are immutable'); END;
CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales BEGIN SELECT RAISE(ABORT, 'sales are immutable'); END;
CREATE TRIGGER sale_lines_no_update BEFORE UPDATE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sale lines are immutable'); END;
CREATE TRIGGER sale_lines_no_delete BEFORE DELETE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sale lines are immutable'); END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN SELECT RAISE(ABORT, 'payments are immutable'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN SELECT RAISE(ABORT, 'payments are immutable'); END;
CREATE TRIGGER refunds_no_update BEFORE UPDATE ON refunds BEGIN SELECT RAISE(ABORT, 'refunds are immutable'); END;
CREATE TRIGGER refunds_no_delete BEFORE DELETE ON refunds BEGIN SELECT RAISE(ABORT, 'refunds are immutable'); END;
CREATE TRIGGER refund_lines_no_update BEFORE UPDATE ON refund_lines BEGIN SELECT RAISE(ABORT, 'refund lines are immutable'); END;
CREATE TRIGGER refund_lines_no_delete BEFORE DELETE ON refund_lines BEGIN SELECT RAISE(ABORT, 'refund lines are immutable'); END;
CREATE TRIGGER tickets_no_update BEFORE UPDATE ON tickets BEGIN SELECT RAISE(ABORT, 'tickets are immutable'); END;
CREATE TRIGGER tickets_no_delete BEFORE DELETE ON tickets BEGIN SELECT RAISE(ABORT, 'tickets are immutable'); END;
CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements BEGIN SELECT RAISE(ABORT, 'cash movements are immutable'); END;
CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements BEGIN SELECT RAISE(ABORT, 'cash movements are immutable'); END;
CREATE TRIGGER cash_counts_no_update BEFORE UPDATE ON cash_counts BEGIN SELECT RAISE(ABORT, 'cash counts are immutable'); END;
CREATE TRIGGER cash_counts_no_delete BEFORE DELETE ON cash_counts BEGIN SELECT RAISE(ABORT, 'cash counts are immutable'); END;
CREATE TRIGGER reconciliation_steps_no_update BEFORE UPDATE ON reconciliation_steps BEGIN SELECT RAISE(ABORT, 'reconciliation steps are immutable'); END;
CREATE TRIGGER reconciliation_steps_no_delete BEFORE DELETE ON reconciliation_steps BEGIN SELECT RAISE(ABORT, 'reconciliation steps are immutable'); END;
CREATE TRIGGER z_closings_no_update BEFORE UPDATE ON z_closings BEGIN SELECT RAISE(ABORT, 'Z closings are immutable'); END;
CREATE TRIGGER z_closings_no_delete BEFORE DELETE ON z_closings BEGIN SELECT RAISE(ABORT, 'Z closings are immutable'); END;
CREATE TRIGGER ordonnancier_no_update BEFORE UPDATE ON ordonnancier BEGIN SELECT RAISE(ABORT, 'the ordonnancier is append-only'); END;
CREATE TRIGGER ordonnancier_no_delete BEFORE DELETE ON ordonnancier BEGIN SELECT RAISE(ABORT, 'the ordonnancier is append-only'); END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock movements are immutable'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock movements are immutable'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

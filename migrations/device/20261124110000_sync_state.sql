-- The device's sync state: where its server is and how far it has come. Local to this
-- device (never synced, not a projection). The device credential is NOT here: it lives
-- in the OS keyring.

CREATE TABLE sync_state (
    singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
    -- Set by enrollment; NULL until the device has joined a pharmacy's server.
    server_url       TEXT,
    tenant_id        TEXT,
    device_name      TEXT,
    -- The server's opaque pull cursor; NULL: pull from the beginning.
    pull_cursor      TEXT,
    -- Every local change (doc_changes.local = 1) with seq <= this is on the server.
    pushed_upto_seq  INTEGER NOT NULL DEFAULT 0,
    last_sync_at     TEXT,
    last_error       TEXT
) STRICT;

INSERT INTO sync_state (singleton) VALUES (1);

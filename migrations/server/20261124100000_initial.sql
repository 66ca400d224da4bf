-- The sync server's source of truth: pharmacies (tenants), their devices and credentials,
-- and the raw Automerge changes every device pushed, append-only. Every table leads with
-- tenant_id so the schema can be distributed by tenant. Consolidated projections (sales,
-- stock, ...) come in a later migration.

CREATE TABLE tenants (
    tenant_id  uuid PRIMARY KEY,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
    tenant_id       uuid NOT NULL REFERENCES tenants (tenant_id),
    device_id       uuid NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- SHA-256 of the credential; the credential itself is never stored.
    credential_hash bytea NOT NULL CHECK (length(credential_hash) = 32),
    enrolled_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz,
    revoked_at      timestamptz,
    PRIMARY KEY (tenant_id, device_id)
);
-- A device id is its Automerge actor: unique across pharmacies.
CREATE UNIQUE INDEX devices_device_id ON devices (device_id);
CREATE UNIQUE INDEX devices_credential ON devices (credential_hash);

CREATE TABLE enrollment_codes (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id),
    -- SHA-256 of the one-time code.
    code_hash  bytea NOT NULL CHECK (length(code_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    uuid,
    PRIMARY KEY (tenant_id, code_hash)
);
CREATE UNIQUE INDEX enrollment_codes_hash ON enrollment_codes (code_hash);

CREATE TABLE changes (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
    seq         bigserial NOT NULL,
    -- The inserting transaction: the feed never passes a transaction still in flight.
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    doc_id      text NOT NULL,
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    bytes       bytea NOT NULL,
    device_id   uuid NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, hash)
);
CREATE INDEX changes_feed ON changes (tenant_id, xid, seq);
CREATE INDEX changes_doc ON changes (tenant_id, doc_id, seq);

CREATE FUNCTION changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'changes is append-only: % refused', TG_OP;
END
$$;
CREATE TRIGGER changes_no_update_delete BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_append_only();
CREATE TRIGGER changes_no_truncate BEFORE TRUNCATE ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION changes_append_only();

-- Refused pushes, kept for investigation: the offending change's raw bytes and why.
CREATE TABLE quarantine (
    tenant_id   uuid NOT NULL REFERENCES tenants (tenant_id),
    id          bigserial NOT NULL,
    device_id   uuid NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    doc_id      text,
    reason      text NOT NULL,
    bytes       bytea NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Where each device is in its pharmacy's change feed ("xid:seq").
CREATE TABLE device_cursors (
    tenant_id  uuid NOT NULL REFERENCES tenants (tenant_id),
    device_id  uuid NOT NULL,
    cursor     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, device_id)
);

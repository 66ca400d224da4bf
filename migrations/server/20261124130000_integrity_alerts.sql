-- What consolidation noticed and a person must look at: a register whose ticket numbers
-- have a gap, a device whose audit chain misses entries. An alert stays open while the
-- condition holds (changes may still be on their way) and is resolved when it clears.
CREATE TABLE integrity_alerts (
    tenant_id    uuid NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('ticket_gap', 'audit_gap')),
    subject      text NOT NULL,
    detail       text NOT NULL,
    raised_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    PRIMARY KEY (tenant_id, kind, subject, raised_at)
);
CREATE INDEX integrity_alerts_open ON integrity_alerts (tenant_id, kind, subject) WHERE resolved_at IS NULL;

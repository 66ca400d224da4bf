-- A device's audit entry that fails its own hash or does not link to its neighbour.
ALTER TABLE integrity_alerts DROP CONSTRAINT integrity_alerts_kind_check;
ALTER TABLE integrity_alerts ADD CONSTRAINT integrity_alerts_kind_check
    CHECK (kind IN ('ticket_gap', 'audit_gap', 'audit_chain'));

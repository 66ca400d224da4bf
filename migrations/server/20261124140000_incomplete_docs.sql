-- Documents holding changes whose dependencies have not arrived yet (a device's pushes
-- overlapped or were reordered on the way). Their facts are projected in full once the
-- missing changes arrive.
CREATE TABLE incomplete_docs (
    tenant_id  uuid NOT NULL,
    doc_id     text NOT NULL,
    since      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, doc_id)
);

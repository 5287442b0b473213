-- 011_deliver: what the deliver job (issue 7) needs beyond 010.
--
-- interventions.send_started_at: committed just before the network send,
-- so a row a dead job left in 'sending' can be told apart: never started
-- (back to approved) or started (failed, outcome unknown — never sent
-- twice). interventions_ref finds the intervention of an external action
-- when the dispatch engine reports it delivered.
ALTER TABLE interventions
	ADD COLUMN send_started_at DATETIME NULL AFTER lease_until,
	ADD KEY interventions_ref (tenant_id, external_ref),
	ADD KEY interventions_lease (lease_owner);

-- Webhook-channel interventions go out through the delivery outbox as
-- kind 'intervention' (the intervention id in action_id: the object the
-- delivery carries out), to every endpoint subscribed to
-- intervention.delivered.
ALTER TABLE deliveries
	MODIFY kind ENUM('action', 'event', 'ping', 'rollback', 'activity', 'intervention') NOT NULL;

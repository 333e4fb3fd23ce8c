-- Every send updates its chat's last_seq, last_message_id and last_message_at. An update can be HOT
-- (no new index entries, the old version pruned in place) only when no index names a column it
-- changes; chats_idle_idx named last_message_at, so each send added an entry to 5 of the chat's
-- indexes. The idle-group job now walks groups by creation (a group created within the limit is not
-- idle) and checks last_message_at on the row.
DROP INDEX chats_idle_idx;
CREATE INDEX chats_idle_idx ON chats (created_at) WHERE type = 'group' AND archived_at IS NULL AND deleted_at IS NULL;

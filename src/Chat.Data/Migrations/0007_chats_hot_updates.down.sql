DROP INDEX chats_idle_idx;
CREATE INDEX chats_idle_idx ON chats ((coalesce(last_message_at, created_at))) WHERE type = 'group' AND archived_at IS NULL AND deleted_at IS NULL;

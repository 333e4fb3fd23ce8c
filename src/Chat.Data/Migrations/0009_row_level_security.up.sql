-- Row-level security for chat content: under the restricted role chat_user, a user sees and writes
-- only rows of chats they are an active member of (and only their own hides and activity). The acting
-- user and their chats are transaction-local settings (chat.user_id, chat.chat_ids); act_as() sets them
-- and the role in one call, at the head of the statement it scopes. Other roles are not limited: the table owner bypasses row-level
-- security, and every policy lets any role but chat_user through, so unscoped calls work as before.

-- The role is cluster-wide, shared by every database and schema that uses it. Creating it needs
-- CREATEROLE; without that, a DBA creates it first: CREATE ROLE chat_user NOLOGIN; GRANT chat_user TO <app role>;
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'chat_user') THEN
        CREATE ROLE chat_user NOLOGIN NOBYPASSRLS;
    END IF;
    IF NOT pg_has_role(current_user, 'chat_user', 'MEMBER') THEN
        EXECUTE format('GRANT chat_user TO %I', current_user);
    END IF;
END $$;

-- The acting user of the current transaction, or null.
CREATE FUNCTION acting_user() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('chat.user_id', true), '')::uuid $$;

-- The chats the acting user is an active member of, as act_as() found them for this transaction.
CREATE FUNCTION acting_user_chats() RETURNS SETOF uuid
LANGUAGE sql STABLE
AS $$ SELECT unnest(coalesce(nullif(current_setting('chat.chat_ids', true), ''), '{}')::uuid[]) $$;

-- Scopes the rest of the transaction to a user: sets chat.user_id, the user's active chats
-- (chat.chat_ids, read once here rather than by every policy of every table a statement touches)
-- and the role chat_user. Runs as its caller, before the role switch, so it reads chat_members whole.
CREATE PROCEDURE act_as(user_id uuid)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    PERFORM set_config('chat.user_id', act_as.user_id::text, true);
    PERFORM set_config('chat.chat_ids',
        (SELECT coalesce(array_agg(m.chat_id), '{}')::text FROM chat_members m WHERE m.user_id = act_as.user_id AND m.left_at IS NULL),
        true);
    SET LOCAL ROLE chat_user;
END $$;

DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO chat_user', current_schema()); END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON chats, chat_members, messages, message_edits, message_hides,
    message_reactions, message_attachments, read_marks, activity_feed TO chat_user;
-- What scoped chat calls read beside chat content; never a password hash.
GRANT SELECT (id, external_id, phone, username, display_name, avatar, about, presence, last_seen_at, created_at, updated_at) ON users TO chat_user;
GRANT SELECT ON user_blocks, contacts TO chat_user;

ALTER TABLE chats ENABLE ROW LEVEL SECURITY;
CREATE POLICY chats_of_members ON chats
    USING (current_user <> 'chat_user' OR id IN (SELECT acting_user_chats()));

ALTER TABLE chat_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY chat_members_of_members ON chat_members
    USING (current_user <> 'chat_user' OR chat_id IN (SELECT acting_user_chats()));

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_of_members ON messages
    USING (current_user <> 'chat_user' OR chat_id IN (SELECT acting_user_chats()));

ALTER TABLE message_reactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_reactions_of_members ON message_reactions
    USING (current_user <> 'chat_user' OR chat_id IN (SELECT acting_user_chats()));

ALTER TABLE message_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_attachments_of_members ON message_attachments
    USING (current_user <> 'chat_user' OR chat_id IN (SELECT acting_user_chats()));

ALTER TABLE read_marks ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_marks_of_members ON read_marks
    USING (current_user <> 'chat_user' OR chat_id IN (SELECT acting_user_chats()));

-- Edits carry no chat: an edit is visible with its message, which its own policy scopes.
ALTER TABLE message_edits ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_edits_of_members ON message_edits
    USING (current_user <> 'chat_user' OR EXISTS (SELECT FROM messages m WHERE m.id = message_id));

-- A hide is its user's alone.
ALTER TABLE message_hides ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_hides_of_their_user ON message_hides
    USING (current_user <> 'chat_user' OR user_id = acting_user() AND EXISTS (SELECT FROM messages m WHERE m.id = message_id));

-- An activity feed is its recipient's alone.
ALTER TABLE activity_feed ENABLE ROW LEVEL SECURITY;
CREATE POLICY activity_feed_of_its_user ON activity_feed
    USING (current_user <> 'chat_user' OR user_id = acting_user());

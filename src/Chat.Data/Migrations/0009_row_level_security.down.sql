DROP POLICY activity_feed_of_its_user ON activity_feed;
ALTER TABLE activity_feed DISABLE ROW LEVEL SECURITY;
DROP POLICY message_hides_of_their_user ON message_hides;
ALTER TABLE message_hides DISABLE ROW LEVEL SECURITY;
DROP POLICY message_edits_of_members ON message_edits;
ALTER TABLE message_edits DISABLE ROW LEVEL SECURITY;
DROP POLICY read_marks_of_members ON read_marks;
ALTER TABLE read_marks DISABLE ROW LEVEL SECURITY;
DROP POLICY message_attachments_of_members ON message_attachments;
ALTER TABLE message_attachments DISABLE ROW LEVEL SECURITY;
DROP POLICY message_reactions_of_members ON message_reactions;
ALTER TABLE message_reactions DISABLE ROW LEVEL SECURITY;
DROP POLICY messages_of_members ON messages;
ALTER TABLE messages DISABLE ROW LEVEL SECURITY;
DROP POLICY chat_members_of_members ON chat_members;
ALTER TABLE chat_members DISABLE ROW LEVEL SECURITY;
DROP POLICY chats_of_members ON chats;
ALTER TABLE chats DISABLE ROW LEVEL SECURITY;

REVOKE ALL ON chats, chat_members, messages, message_edits, message_hides, message_reactions,
    message_attachments, read_marks, activity_feed, users, user_blocks, contacts FROM chat_user;
DO $$ BEGIN EXECUTE format('REVOKE USAGE ON SCHEMA %I FROM chat_user', current_schema()); END $$;

DROP PROCEDURE act_as(uuid);
DROP FUNCTION acting_user_chats();
DROP FUNCTION acting_user();
-- The role stays: other databases and schemas on the server may use it.

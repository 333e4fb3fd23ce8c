DROP TABLE chat_members;
DROP FUNCTION chat_members_leave_topics();
DROP FUNCTION chat_members_count();
DROP FUNCTION chat_members_check_rules();
DROP TABLE chats;

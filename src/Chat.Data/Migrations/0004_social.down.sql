DROP INDEX messages_purge_idx;
DROP TABLE activity_feed;
DROP TABLE message_requests;
DROP TABLE contacts;
DROP TABLE user_blocks;

DROP TABLE read_marks;
DROP TABLE message_attachments;
DROP TABLE message_hides;
DROP TABLE message_edits;
DROP TABLE messages;
-- pg_trgm stays: another schema in this database may use it.

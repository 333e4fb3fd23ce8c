ALTER TABLE messages ALTER COLUMN search_vector SET STATISTICS -1;
ANALYZE messages (search_vector);

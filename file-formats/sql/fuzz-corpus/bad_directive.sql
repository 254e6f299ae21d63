-- rokso:bogus
SELECT 1;

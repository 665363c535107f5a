// Runs in each test file of the postgres project: the helpers open PostgreSQL stores instead of SQLite.
process.env.LAKETAHOE_TEST_STORE = 'postgres';

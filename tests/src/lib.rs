//! End-to-end tests of PharmaSaaS across crates: device stores (`pharma-core`) with their
//! real sync client and OS keyring, the real sync server (`pharma-sync-server`) started
//! in-process on port 0, and a real PostgreSQL (a throwaway cluster per test run, see the
//! server's test harness). The tests are under `tests/`; this library is empty.

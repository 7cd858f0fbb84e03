// The owner of the tests' precompiled header (tests/CMakeLists.txt): no code of its own.

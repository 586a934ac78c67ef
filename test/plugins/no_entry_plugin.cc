// test/plugins/no_entry_plugin.cc
//! A shared object named like a dialect plugin but without the entry point.
extern "C" __attribute__((visibility("default"))) int not_a_warden_plugin(void) { return 42; }

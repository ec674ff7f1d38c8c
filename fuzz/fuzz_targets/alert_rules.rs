#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| cem_fuzz::alert_rules(data));

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| berth::fuzzing::quay_config(data));

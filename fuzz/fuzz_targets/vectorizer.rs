#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| accord_fuzz::checks::vectorizer(data));

//! The plugin's reader of spoken dates, on any text, at any moment, with any opening hours.
//! Input format: `slotline_fuzz::parse_date_input`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use slotline_fuzz::parse_date::parse;
use slotline_fuzz::parse_date_input;

fuzz_target!(|data: &[u8]| {
    let input = parse_date_input::read(data);
    match parse(&input.text, input.now, &input.hours) {
        // The error's text is what the voice agent hears; it must render.
        Err(err) => drop(err.to_string()),
        Ok(parsed) => drop(format!("{parsed:?}")),
    }
});

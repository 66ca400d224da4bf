//! Bytes to text: UTF-8 or Latin-1 decoding, the field separator, and file line numbers.

use super::TextEncoding;
use std::borrow::Cow;

/// UTF-8 if it is valid UTF-8, Latin-1 (Windows-1252) otherwise: a Latin-1 file with
/// accents is almost never valid UTF-8, so the test does not misfire.
pub(super) fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), TextEncoding::Utf8),
        Err(_) => (Cow::Owned(bytes.iter().map(|b| windows_1252(*b)).collect()), TextEncoding::Latin1),
    }
}

pub(super) fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
        '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator used on the header line: `;` (French Excel), tab, or `,` by default.
pub(super) fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let mut in_quotes = false;
    let (mut commas, mut semis, mut tabs) = (0, 0, 0);
    for c in first_line.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => commas += 1,
            ';' if !in_quotes => semis += 1,
            '\t' if !in_quotes => tabs += 1,
            _ => {}
        }
    }
    if semis > commas && semis >= tabs {
        b';'
    } else if tabs > commas && tabs > semis {
        b'\t'
    } else {
        b','
    }
}

/// Line numbers from byte offsets. The csv reader's own line count is not usable: it is
/// one short after CRLF line ends and wrong after blank lines, and a person fixing the
/// file needs the line their editor shows.
#[derive(Debug)]
pub(super) struct LineIndex<'t> {
    text: &'t [u8],
    /// Offsets just past each line break (`\n`, `\r\n` or a lone `\r`), ascending.
    breaks: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub(super) fn new(text: &'t [u8]) -> Self {
        let breaks = text
            .iter()
            .enumerate()
            .filter(|(i, b)| **b == b'\n' || **b == b'\r' && text.get(i + 1) != Some(&b'\n'))
            .map(|(i, _)| i + 1)
            .collect();
        Self { text, breaks }
    }

    /// The 1-based line of the record the reader reports at `byte`. That offset is just
    /// past the previous record, before any line ends and blank lines the reader skipped;
    /// a record never starts with a line end, so it starts at the first other byte.
    pub(super) fn line_of(&self, byte: u64) -> usize {
        let from = usize::try_from(byte).unwrap_or(usize::MAX).min(self.text.len());
        let start = self.text[from..]
            .iter()
            .position(|b| *b != b'\n' && *b != b'\r')
            .map_or(self.text.len(), |p| from + p);
        1 + self.breaks.partition_point(|end| *end <= start)
    }
}

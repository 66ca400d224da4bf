//! Reading CSV records with the `csv` crate, numbered by the line they start on.
//!
//! Fields may be quoted (`""` for a quote inside) and lines may end in `\n` or `\r\n`; a
//! leading byte-order mark is dropped. A quoted field spanning several lines is refused
//! as an unclosed quote: no series or forecast file has one, and a stray quote would
//! otherwise swallow the rest of the file into one field. Blank lines are skipped.
//!
//! The `csv` reader numbers lines from where it starts looking for a record, before the
//! blank lines it skips; the whole input is kept in memory (the callers keep every point
//! anyway), so the true line of a record is that number plus the line breaks it skipped.

use std::io::{Cursor, Read};

/// A file could not be read as CSV records.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// Reading failed.
    #[error("lecture impossible : {0}")]
    Io(#[from] std::io::Error),
    /// The `csv` reader refused the bytes (text that is not UTF-8).
    #[error("lecture impossible : {0}")]
    Csv(#[source] csv::Error),
    /// A field opened a quote that its line does not close.
    #[error("ligne {line} : guillemet ouvert et non fermé")]
    UnclosedQuote {
        /// The line the record starts on.
        line: usize,
    },
}

/// The records of one CSV input, each with the line it starts on (the header is line 1).
#[derive(Debug)]
pub struct Records {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    record: csv::StringRecord,
}

impl Records {
    /// Reads all of `input`.
    pub fn new(mut input: impl Read) -> Result<Self, RecordError> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes)?;
        // A quote left open on the last line then always swallows a line break, which is
        // how an unclosed quote is told apart from a closed one.
        if bytes.last().is_some_and(|b| *b != b'\n') {
            bytes.push(b'\n');
        }
        let reader =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(Cursor::new(bytes));
        Ok(Self { reader, record: csv::StringRecord::new() })
    }

    /// The next record and its line, `None` at the end. Records that are one blank field
    /// (a line of spaces) are skipped when `skip_blank`.
    pub fn next_record(
        &mut self,
        skip_blank: bool,
    ) -> Result<Option<(usize, &csv::StringRecord)>, RecordError> {
        loop {
            if !self.reader.read_record(&mut self.record).map_err(RecordError::Csv)? {
                return Ok(None);
            }
            let line = self.line();
            if self.record.as_slice().contains('\n') {
                return Err(RecordError::UnclosedQuote { line });
            }
            if skip_blank && self.record.len() == 1 && self.record[0].trim().is_empty() {
                continue;
            }
            return Ok(Some((line, &self.record)));
        }
    }

    /// The line the current record starts on: where the reader started looking, plus
    /// the line breaks of the blank lines it skipped before the record.
    fn line(&self) -> usize {
        let Some(pos) = self.record.position() else { return 0 };
        let bytes = self.reader.get_ref().get_ref();
        let start = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
        let skipped = bytes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .filter(|b| **b == b'\n')
            .count();
        usize::try_from(pos.line()).unwrap_or(usize::MAX).saturating_add(skipped)
    }
}

/// Writes `field` quoted if it needs to be, so any id survives a round trip.
pub fn quote(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// Finds each wanted column in a header by name; `None` for a column that is absent.
/// A column named twice is reported by its name.
pub fn find_columns<const N: usize>(
    header: &csv::StringRecord,
    wanted: [&'static str; N],
) -> Result<[Option<usize>; N], &'static str> {
    let mut found = [None; N];
    for (i, name) in header.iter().enumerate() {
        if let Some(w) = wanted.iter().position(|w| *w == name.trim()) {
            if found[w].is_some() {
                return Err(wanted[w]);
            }
            found[w] = Some(i);
        }
    }
    Ok(found)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every record with its line, blank ones skipped.
    fn all(text: &str) -> Result<Vec<(usize, Vec<String>)>, RecordError> {
        let mut records = Records::new(text.as_bytes())?;
        let mut out = Vec::new();
        while let Some((line, r)) = records.next_record(true)? {
            out.push((line, r.iter().map(str::to_string).collect()));
        }
        Ok(out)
    }

    #[test]
    fn plain_and_quoted_fields() {
        let r = all("a,b,c\n\"a,1\",b,\"say \"\"hi\"\"\"\nx,\"\",y\nx,\"q\",\né,\"ü\",ï").unwrap();
        let fields: Vec<Vec<String>> = r.into_iter().map(|(_, f)| f).collect();
        assert_eq!(fields[0], ["a", "b", "c"]);
        assert_eq!(fields[1], ["a,1", "b", "say \"hi\""]);
        assert_eq!(fields[2], ["x", "", "y"]);
        assert_eq!(fields[3], ["x", "q", ""]);
        assert_eq!(fields[4], ["é", "ü", "ï"]);
    }

    #[test]
    fn lines_are_counted_across_blank_lines_crlf_and_a_byte_order_mark() {
        let r = all("\u{feff}h,1\r\n\r\n\nx,\"2\"\r\n   \ny,3").unwrap();
        let lines: Vec<usize> = r.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [1, 4, 6]);
        assert_eq!(r[0].1, ["h", "1"]);
        assert_eq!(r[1].1, ["x", "2"]);
        let r = all("h\n\n\nx\n").unwrap();
        assert_eq!(r.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 4]);
    }

    #[test]
    fn an_unclosed_quote_names_its_line() {
        for text in ["h\n\na,\"2,1\nb,3\n", "h\n\na,\"2,1", "h\n\na,\"2\n1\",3\n"] {
            let e = all(text).unwrap_err();
            assert!(matches!(e, RecordError::UnclosedQuote { line: 3 }), "{text:?}: {e:?}");
            assert_eq!(e.to_string(), "ligne 3 : guillemet ouvert et non fermé");
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let mut records = Records::new(&b"h\n\xff,1\n"[..]).unwrap();
        assert!(records.next_record(true).unwrap().is_some());
        let e = records.next_record(true).unwrap_err();
        assert!(e.to_string().starts_with("lecture impossible"), "{e}");
    }

    #[test]
    fn quoting_round_trips() {
        for id in ["plain", "a,b", "say \"x\"", "two\nlines"] {
            let mut records = Records::new(format!("{},1\n", quote(id)).as_bytes()).unwrap();
            let quoted_newline = id.contains('\n');
            match records.next_record(true) {
                Ok(Some((_, r))) => assert_eq!(r.iter().collect::<Vec<_>>(), [id, "1"]),
                // A line break inside a field is refused on reading, by design.
                Err(RecordError::UnclosedQuote { line: 1 }) if quoted_newline => {}
                other => panic!("{id:?}: {other:?}"),
            }
        }
    }
}

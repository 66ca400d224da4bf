//! The little CSV this module needs, by hand: one record per line, `,` between fields,
//! fields optionally between double quotes with `""` for a quote inside. A quoted field
//! spanning several lines is refused (no series or forecast file has one), which keeps the
//! reader line-based and fast: most lines hold no quote at all and are split in place.

use std::borrow::Cow;
use std::io::BufRead;

/// A record's fields could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// A field opened a quote that the line does not close.
    #[error("guillemet ouvert et non fermé")]
    UnclosedQuote,
    /// Something other than `,` follows a closing quote.
    #[error("caractère inattendu après un guillemet fermant")]
    AfterQuote,
}

/// Splits one line (without its line ending) into fields.
pub fn split(line: &str) -> Result<Vec<Cow<'_, str>>, RecordError> {
    if !line.contains('"') {
        return Ok(line.split(',').map(Cow::Borrowed).collect());
    }
    // Byte offsets are safe to slice at: `"` and `,` are ASCII, never inside a character.
    let bytes = line.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let mut value = String::new();
            let mut j = i + 1;
            loop {
                let Some(rel) = line[j..].find('"') else {
                    return Err(RecordError::UnclosedQuote);
                };
                value.push_str(&line[j..j + rel]);
                let q = j + rel;
                if bytes.get(q + 1) == Some(&b'"') {
                    value.push('"');
                    j = q + 2;
                } else {
                    i = q + 1;
                    break;
                }
            }
            fields.push(Cow::Owned(value));
            match bytes.get(i) {
                None => return Ok(fields),
                Some(b',') => i += 1,
                Some(_) => return Err(RecordError::AfterQuote),
            }
        } else if let Some(rel) = line[i..].find(',') {
            fields.push(Cow::Borrowed(&line[i..i + rel]));
            i += rel + 1;
        } else {
            fields.push(Cow::Borrowed(&line[i..]));
            return Ok(fields);
        }
    }
}

/// Writes `field` quoted if it needs to be, so any id survives a round trip.
pub fn quote(field: &str) -> Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// Reads lines one at a time into a reused buffer, numbering them from 1 and dropping
/// the line ending and a leading byte-order mark.
#[derive(Debug)]
pub struct Lines<R> {
    reader: R,
    buf: String,
    number: usize,
}

impl<R: BufRead> Lines<R> {
    /// Wraps a reader.
    pub fn new(reader: R) -> Self {
        Self { reader, buf: String::new(), number: 0 }
    }

    /// The next line and its number, `None` at the end.
    pub fn next_line(&mut self) -> std::io::Result<Option<(usize, &str)>> {
        self.buf.clear();
        if self.reader.read_line(&mut self.buf)? == 0 {
            return Ok(None);
        }
        self.number += 1;
        let mut line = self.buf.as_str();
        if self.number == 1 {
            line = line.strip_prefix('\u{feff}').unwrap_or(line);
        }
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        Ok(Some((self.number, line)))
    }
}

/// Finds each wanted column in a header by name; `None` for a column that is absent.
/// A column named twice is reported by its name.
pub fn find_columns<const N: usize>(
    header: &[Cow<'_, str>],
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

    fn owned(line: &str) -> Vec<String> {
        split(line).unwrap().into_iter().map(Cow::into_owned).collect()
    }

    #[test]
    fn plain_and_quoted_fields() {
        assert_eq!(owned("a,b,c"), ["a", "b", "c"]);
        assert_eq!(owned("\"a,1\",b,\"say \"\"hi\"\"\""), ["a,1", "b", "say \"hi\""]);
        assert_eq!(owned("x,\"\",y"), ["x", "", "y"]);
        assert_eq!(owned("x,\"q\","), ["x", "q", ""]);
        assert_eq!(owned("é,\"ü\",ï"), ["é", "ü", "ï"]);
    }

    #[test]
    fn broken_quotes_are_errors() {
        assert_eq!(split("a,\"b").unwrap_err(), RecordError::UnclosedQuote);
        assert_eq!(split("\"a\"b,c").unwrap_err(), RecordError::AfterQuote);
    }

    #[test]
    fn quoting_round_trips() {
        for id in ["plain", "a,b", "say \"x\""] {
            let line = format!("{},1", quote(id));
            assert_eq!(owned(&line), [id, "1"]);
        }
    }
}

//! Turning a [`RowOp`] into a (cached) SQLite statement.

use crate::projection::{RowOp, Val};
use crate::store::error::Result;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql, params_from_iter};

impl ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Val::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Val::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn placeholders(n: usize, from: usize) -> String {
    (from..from + n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",")
}

pub(super) fn exec(c: &Connection, op: &RowOp) -> Result<()> {
    match op {
        RowOp::Insert { table, cols } | RowOp::Upsert { table, cols, .. } => {
            let verb = if matches!(op, RowOp::Insert { .. }) { "INSERT" } else { "INSERT OR REPLACE" };
            let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
            let sql =
                format!("{verb} INTO {table} ({}) VALUES ({})", names.join(","), placeholders(cols.len(), 1));
            c.prepare_cached(&sql)?.execute(params_from_iter(cols.iter().map(|(_, v)| v)))?;
        }
        RowOp::Add { table, key, cols, sum_col } => {
            let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT({}) DO UPDATE SET {sum_col} = {sum_col} + excluded.{sum_col}",
                names.join(","),
                placeholders(cols.len(), 1),
                key.join(",")
            );
            c.prepare_cached(&sql)?.execute(params_from_iter(cols.iter().map(|(_, v)| v)))?;
        }
        RowOp::Update { table, key, set } => {
            let sets: Vec<String> =
                set.iter().enumerate().map(|(i, (n, _))| format!("{n} = ?{}", i + 1)).collect();
            let wheres: Vec<String> =
                key.iter().enumerate().map(|(i, (n, _))| format!("{n} = ?{}", set.len() + i + 1)).collect();
            let sql = format!("UPDATE {table} SET {} WHERE {}", sets.join(", "), wheres.join(" AND "));
            c.prepare_cached(&sql)?
                .execute(params_from_iter(set.iter().chain(key.iter()).map(|(_, v)| v)))?;
        }
    }
    Ok(())
}

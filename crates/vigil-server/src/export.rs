//! Events for a warehouse: one environment's events in commit order, as NDJSON (one API
//! event resource per line, kebab keys, one API version) or as Parquet (one row per event,
//! typed columns, the payload as a JSON column). BigQuery, Snowflake and DuckDB load both.

use std::io::Write;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::Value;
use vigil_store::{Event, Store};

use crate::protocol::version::ApiVersion;
use crate::views;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which events to write.
pub struct Range {
    pub environment_id: String,
    /// Created at or after (milliseconds).
    pub since: i64,
    /// Created at or before (milliseconds).
    pub until: Option<i64>,
    pub version: ApiVersion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Parquet,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "ndjson" => Some(Format::Ndjson),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// Write the events of `range` to `out` in `format`, oldest first; `progress` hears each
/// log position passed (out of the log's last). Returns how many events were written.
pub fn export(
    store: &Arc<dyn Store>,
    range: &Range,
    format: Format,
    out: Box<dyn Write + Send>,
    progress: &mut dyn FnMut(i64),
) -> Result<u64, BoxError> {
    let mut sink: Box<dyn Sink> = match format {
        Format::Ndjson => Box::new(Ndjson { out }),
        Format::Parquet => Box::new(Parquet::new(out)?),
    };
    let mut position = 0;
    let mut written = 0;
    loop {
        let batch = store.events_after(position, 2_000)?;
        let Some(last) = batch.last().map(|e| e.seq) else {
            break;
        };
        for logged in batch {
            let event = &logged.event;
            let in_range = logged.environment_id == range.environment_id
                && event.created_at >= range.since
                && range.until.is_none_or(|until| event.created_at <= until);
            if in_range {
                sink.push(event, views::event::resource(event, range.version))?;
                written += 1;
            }
        }
        position = last;
        progress(position);
    }
    sink.finish()?;
    Ok(written)
}

/// Where rendered events go.
trait Sink {
    fn push(&mut self, event: &Event, resource: Value) -> Result<(), BoxError>;
    fn finish(self: Box<Self>) -> Result<(), BoxError>;
}

struct Ndjson {
    out: Box<dyn Write + Send>,
}

impl Sink for Ndjson {
    fn push(&mut self, _: &Event, resource: Value) -> Result<(), BoxError> {
        serde_json::to_writer(&mut self.out, &resource)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), BoxError> {
        Ok(self.out.flush()?)
    }
}

/// One row per event. Column names are snake_case for SQL; `payload` and `context` are
/// the resource's attributes of those names, as JSON text with the JSON logical type.
const PARQUET_SCHEMA: &str = "message event {
    REQUIRED BYTE_ARRAY id (STRING);
    REQUIRED BYTE_ARRAY name (STRING);
    REQUIRED INT64 created_at (TIMESTAMP(MILLIS, true));
    REQUIRED BYTE_ARRAY object_type (STRING);
    REQUIRED BYTE_ARRAY object_id (STRING);
    REQUIRED BYTE_ARRAY payload (JSON);
    OPTIONAL BYTE_ARRAY context (JSON);
}";
/// Rows per row group: a few MB of payloads, so a reader can skip by `created_at`.
const ROW_GROUP: usize = 4_096;

struct Parquet {
    writer: SerializedFileWriter<Box<dyn Write + Send>>,
    rows: Rows,
}

/// One buffered column, as the Parquet writer takes it.
enum Column<'a> {
    Text(&'a [ByteArray]),
    Millis(&'a [i64]),
    /// Values of the rows that have one, and per row whether it does (1) or not (0).
    Optional(&'a [ByteArray], &'a [i16]),
}

/// The buffered rows of the next row group, column by column.
#[derive(Default)]
struct Rows {
    id: Vec<ByteArray>,
    name: Vec<ByteArray>,
    created_at: Vec<i64>,
    object_type: Vec<ByteArray>,
    object_id: Vec<ByteArray>,
    payload: Vec<ByteArray>,
    context: Vec<ByteArray>,
    /// Per row: 1 when `context` is present, 0 when null.
    context_defined: Vec<i16>,
}

impl Parquet {
    fn new(out: Box<dyn Write + Send>) -> Result<Parquet, BoxError> {
        let schema = Arc::new(parse_message_type(PARQUET_SCHEMA)?);
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("vigil {}", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Parquet {
            writer: SerializedFileWriter::new(out, schema, Arc::new(properties))?,
            rows: Rows::default(),
        })
    }

    fn flush(&mut self) -> Result<(), BoxError> {
        if self.rows.id.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        let mut group = self.writer.next_row_group()?;
        // In schema order: id, name, created_at, object_type, object_id, payload, context.
        let columns = [
            Column::Text(&rows.id),
            Column::Text(&rows.name),
            Column::Millis(&rows.created_at),
            Column::Text(&rows.object_type),
            Column::Text(&rows.object_id),
            Column::Text(&rows.payload),
            Column::Optional(&rows.context, &rows.context_defined),
        ];
        for column in columns {
            let mut writer = group
                .next_column()?
                .ok_or("the Parquet schema has fewer columns than the rows")?;
            match column {
                Column::Text(values) => {
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(values, None, None)?;
                }
                Column::Millis(values) => {
                    writer
                        .typed::<Int64Type>()
                        .write_batch(values, None, None)?;
                }
                Column::Optional(values, defined) => {
                    writer
                        .typed::<ByteArrayType>()
                        .write_batch(values, Some(defined), None)?;
                }
            }
            writer.close()?;
        }
        group.close()?;
        Ok(())
    }
}

impl Sink for Parquet {
    fn push(&mut self, event: &Event, resource: Value) -> Result<(), BoxError> {
        let text = |s: &str| ByteArray::from(s.as_bytes().to_vec());
        let json = |v: &Value| serde_json::to_vec(v).map(ByteArray::from);
        let attributes = &resource["attributes"];
        let rows = &mut self.rows;
        rows.id.push(text(&event.id));
        rows.name.push(text(&event.name));
        rows.created_at.push(event.created_at);
        rows.object_type.push(text(&event.object_type));
        rows.object_id.push(text(&event.object_id));
        rows.payload.push(json(&attributes["payload"])?);
        match attributes.get("context") {
            Some(context) if !context.is_null() => {
                rows.context.push(json(context)?);
                rows.context_defined.push(1);
            }
            _ => rows.context_defined.push(0),
        }
        if rows.id.len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), BoxError> {
        self.flush()?;
        let mut out = self.writer.into_inner()?;
        Ok(out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn parquet_rows_read_back_with_their_types() {
        let path = tempfile::NamedTempFile::new().unwrap();
        let out: Box<dyn Write + Send> = Box::new(path.reopen().unwrap());
        let mut sink: Box<dyn Sink> = Box::new(Parquet::new(out).unwrap());
        let count = ROW_GROUP + 3; // two row groups
        for i in 0..count {
            let event = Event {
                id: format!("evt_{i}"),
                name: "account.created".into(),
                created_at: 1_700_000_000_000 + i as i64,
                object_type: "account".into(),
                object_id: format!("act_{i}"),
                snapshot: serde_json::json!({}),
                context: None,
                actor: None,
            };
            let mut resource = serde_json::json!({"attributes": {"payload": {"data": {"id": i}}}});
            if i % 2 == 1 {
                resource["attributes"]["context"] = serde_json::json!({"n": i});
            }
            sink.push(&event, resource).unwrap();
        }
        sink.finish().unwrap();
        let reader = SerializedFileReader::new(path.reopen().unwrap()).unwrap();
        assert_eq!(reader.metadata().num_row_groups(), 2);
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(rows.len(), count);
        let row = |i: usize| -> Vec<(String, Field)> {
            rows[i]
                .get_column_iter()
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect()
        };
        let last = row(count - 1);
        let names: Vec<&str> = last.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "name",
                "created_at",
                "object_type",
                "object_id",
                "payload",
                "context"
            ]
        );
        assert_eq!(last[0].1, Field::Str(format!("evt_{}", count - 1)));
        assert_eq!(
            last[2].1,
            Field::TimestampMillis(1_700_000_000_000 + count as i64 - 1)
        );
        assert_eq!(
            last[5].1,
            Field::Str(format!("{{\"data\":{{\"id\":{}}}}}", count - 1))
        );
        assert_eq!(last[6].1, Field::Null, "an even row has no context");
        assert_eq!(row(1)[6].1, Field::Str("{\"n\":1}".into()));
    }
}

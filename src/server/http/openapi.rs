//! The OpenAPI 3.1 document of the HTTP routes, generated at start from the proto
//! descriptors the server is built with, so that it follows the proto: one schema per
//! `accord.v1` message and enum in the proto3 JSON mapping (camelCase names, enums by name,
//! 64-bit integers as strings, maps as objects), described by the proto's comments.

use std::collections::HashMap;

use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto, FileDescriptorSet};
use serde_json::{json, Map, Value};

use super::routes::{Endpoint, Route};

const PACKAGE: &str = "accord.v1";
const SERVICE: &str = "Classifier";
/// Where a schema named `name` is.
fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The document for `routes`.
pub fn document(routes: &[Route]) -> anyhow::Result<Value> {
    let set = FileDescriptorSet::decode(accord::grpc::FILE_DESCRIPTOR_SET)?;
    let files: Vec<&FileDescriptorProto> = set.file.iter().filter(|f| f.package() == PACKAGE).collect();
    let mut schemas = Map::new();
    let mut methods = HashMap::new();
    for file in &files {
        let comments = Comments::of(file);
        for (i, message) in file.message_type.iter().enumerate() {
            schemas.insert(message.name().to_owned(), message_schema(message, &comments, &[4, i as i32]));
        }
        for (i, enumeration) in file.enum_type.iter().enumerate() {
            let names: Vec<&str> = enumeration.value.iter().map(|v| v.name()).collect();
            let schema = described(json!({ "type": "string", "enum": names }), comments.at(&[5, i as i32]));
            schemas.insert(enumeration.name().to_owned(), schema);
        }
        for (s, service) in file.service.iter().enumerate().filter(|(_, s)| s.name() == SERVICE) {
            for (m, method) in service.method.iter().enumerate() {
                let (input, output) = (local_name(method.input_type()), local_name(method.output_type()));
                let summary = comments.at(&[6, s as i32, 2, m as i32]);
                methods.insert(method.name().to_owned(), (input.to_owned(), output.to_owned(), summary));
            }
        }
    }
    schemas.insert("Status".into(), status_schema());
    schemas.insert("ServingStatus".into(), serving_schema());
    let mut paths = Map::new();
    for route in routes {
        let operation = operation(route, &methods)?;
        let item = paths.entry(route.path).or_insert_with(|| json!({}));
        item[route.method.to_ascii_lowercase()] = operation;
    }
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "accord",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The accord.v1.Classifier gRPC service as JSON over HTTP: bodies in the proto3 JSON mapping (as grpcurl prints them), errors as google.rpc.Status.",
        },
        "paths": paths,
        "components": { "schemas": schemas },
    }))
}

fn operation(route: &Route, methods: &HashMap<String, (String, String, Option<String>)>) -> anyhow::Result<Value> {
    let (schema, summary, request) = match route.endpoint {
        Endpoint::Rpc(name) => {
            let (input, output, summary) =
                methods.get(name).ok_or_else(|| anyhow::anyhow!("{SERVICE} has no method {name}"))?;
            let summary = summary.clone().unwrap_or_else(|| name.to_owned());
            (schema_ref(output), summary, Some(input.as_str()))
        }
        Endpoint::Healthz => (schema_ref("ServingStatus"), "Liveness: the process answers.".into(), None),
        Endpoint::Readyz => (
            schema_ref("ServingStatus"),
            "Readiness: 200 while the gRPC health service reports the Classifier SERVING, 503 from the start of shutdown.".into(),
            None,
        ),
        Endpoint::OpenApi => (json!({ "type": "object" }), "This document.".into(), None),
    };
    let mut operation = json!({
        "summary": summary,
        "operationId": route.path.trim_start_matches('/').replace(['/', ':', '.'], "_"),
        "parameters": headers(),
        "responses": {
            "200": {
                "description": "The answer.",
                "headers": answer_headers(),
                "content": { "application/json": { "schema": schema } },
            },
            "default": {
                "headers": answer_headers(),
                "description": "An error: the gRPC status code and message. INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 429 (413 for a body over --max-message-bytes), UNAVAILABLE 503, DEADLINE_EXCEEDED 504, INTERNAL 500.",
                "content": { "application/json": { "schema": schema_ref("Status") } },
            },
        },
    });
    if let Some(input) = request.filter(|_| route.method == "POST") {
        let mut content = json!({ "schema": schema_ref(input) });
        if let Some(example) = route.example {
            content["example"] = serde_json::from_str(example)?;
        }
        operation["requestBody"] = json!({ "required": true, "content": { "application/json": content } });
    }
    Ok(operation)
}

/// The request headers every route reads.
fn headers() -> Value {
    json!([
        {
            "name": "grpc-timeout", "in": "header", "required": false,
            "description": "The call's deadline, as gRPC writes it: up to 8 digits and a unit (H, M, S, m, u, n), e.g. 500m. The shorter of it and --request-timeout-secs applies.",
            "schema": { "type": "string", "pattern": "^[0-9]{1,8}[HMSmun]$" },
        },
        {
            "name": "x-request-id", "in": "header", "required": false,
            "description": "Logged with the call and returned in the answer's x-request-id header, so that a call can be found from the caller's side; one that is not printable ASCII of at most 128 bytes is replaced by a generated one.",
            "schema": { "type": "string", "maxLength": 128 },
        },
        {
            "name": "traceparent", "in": "header", "required": false,
            "description": "W3C trace context: its trace id is logged with the call.",
            "schema": { "type": "string", "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}" },
        },
    ])
}

/// The headers of every answer.
fn answer_headers() -> Value {
    json!({
        "x-request-id": {
            "description": "The call's request id: the client's, or one the server generated (32 hex digits).",
            "required": true,
            "schema": { "type": "string" },
        },
    })
}

fn status_schema() -> Value {
    json!({
        "type": "object",
        "description": "google.rpc.Status: the gRPC status code (3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, ...) and a message naming the field or limit.",
        "properties": {
            "code": { "type": "integer" },
            "message": { "type": "string" },
            "details": { "type": "array", "items": { "type": "object" } },
        },
        "required": ["code", "message", "details"],
        "additionalProperties": false,
    })
}

fn serving_schema() -> Value {
    json!({
        "type": "object",
        "properties": { "status": { "type": "string", "enum": ["SERVING", "NOT_SERVING"] } },
        "required": ["status"],
        "additionalProperties": false,
    })
}

fn message_schema(message: &DescriptorProto, comments: &Comments, path: &[i32]) -> Value {
    let map_entries: HashMap<&str, &DescriptorProto> = message
        .nested_type
        .iter()
        .filter(|nested| nested.options.as_ref().is_some_and(|o| o.map_entry()))
        .map(|nested| (nested.name(), nested))
        .collect();
    let mut properties = Map::new();
    for (i, field) in message.field.iter().enumerate() {
        let entry = map_entries.get(local_name(field.type_name()).rsplit('.').next().unwrap_or_default());
        let schema = match entry {
            Some(entry) if field.r#type() == Type::Message => {
                let value = entry.field.iter().find(|f| f.number() == 2);
                json!({ "type": "object", "additionalProperties": value.map_or(json!({}), scalar_schema) })
            }
            _ if field.label() == Label::Repeated => json!({ "type": "array", "items": scalar_schema(field) }),
            _ => scalar_schema(field),
        };
        let mut field_path = path.to_vec();
        field_path.extend([2, i as i32]);
        properties.insert(json_name(field), described(schema, comments.at(&field_path)));
    }
    let schema = json!({ "type": "object", "properties": properties, "additionalProperties": false });
    described(schema, comments.at(path))
}

/// One value of `field` (an element, for a repeated field).
fn scalar_schema(field: &FieldDescriptorProto) -> Value {
    match field.r#type() {
        Type::String => json!({ "type": "string" }),
        Type::Bool => json!({ "type": "boolean" }),
        Type::Float | Type::Double => json!({ "type": "number" }),
        Type::Uint32 | Type::Fixed32 => json!({ "type": "integer", "minimum": 0 }),
        Type::Int32 | Type::Sint32 | Type::Sfixed32 => json!({ "type": "integer" }),
        // proto3 JSON writes 64-bit integers as strings, and reads either.
        Type::Int64 | Type::Uint64 | Type::Sint64 | Type::Fixed64 | Type::Sfixed64 => {
            json!({ "type": ["string", "integer"], "pattern": "^-?[0-9]+$" })
        }
        Type::Bytes => json!({ "type": "string", "contentEncoding": "base64" }),
        Type::Enum | Type::Message | Type::Group => {
            schema_ref(local_name(field.type_name()).rsplit('.').next().unwrap_or_default())
        }
    }
}

/// `.accord.v1.ClassifyRequest` → `ClassifyRequest` (nested types keep their parent:
/// `ClassifyResponse.PredictionsEntry`).
fn local_name(type_name: &str) -> &str {
    type_name.strip_prefix('.').and_then(|n| n.strip_prefix(PACKAGE)).map_or(type_name, |n| n.trim_start_matches('.'))
}

/// The field's JSON name: protoc's `json_name`, else lowerCamelCase of its name.
fn json_name(field: &FieldDescriptorProto) -> String {
    if let Some(name) = &field.json_name {
        return name.clone();
    }
    let mut name = String::new();
    let mut upper = false;
    for c in field.name().chars() {
        match (c, upper) {
            ('_', _) => upper = true,
            (c, true) => {
                name.extend(c.to_uppercase());
                upper = false;
            }
            (c, false) => name.push(c),
        }
    }
    name
}

fn described(mut schema: Value, description: Option<String>) -> Value {
    if let Some(description) = description {
        schema["description"] = Value::String(description);
    }
    schema
}

/// The comments of a proto file, by descriptor path.
struct Comments(HashMap<Vec<i32>, String>);

impl Comments {
    fn of(file: &FileDescriptorProto) -> Self {
        let locations = file.source_code_info.iter().flat_map(|info| &info.location);
        let comments = locations
            .filter_map(|location| {
                let text = location.leading_comments().trim();
                let text = text.lines().map(str::trim).collect::<Vec<_>>().join(" ");
                (!text.is_empty()).then(|| (location.path.clone(), text))
            })
            .collect();
        Self(comments)
    }

    fn at(&self, path: &[i32]) -> Option<String> {
        self.0.get(path).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::http::ROUTES;

    #[test]
    fn every_route_and_message_is_documented_in_the_json_mapping() {
        let document = document(ROUTES).expect("a document");
        for route in ROUTES {
            let operation = &document["paths"][route.path][route.method.to_ascii_lowercase()];
            assert!(operation.is_object(), "{} {} is not documented", route.method, route.path);
        }
        let schemas = &document["components"]["schemas"];
        let request = &schemas["ClassifyRequest"]["properties"];
        assert_eq!(request["article"]["$ref"], schema_ref("Article")["$ref"]);
        assert_eq!(request["article"]["description"], "Required.", "the proto comment describes the field");
        assert_eq!(request["explain"]["type"], "integer");
        let response = &schemas["ClassifyResponse"]["properties"];
        assert_eq!(response["modelVersion"]["type"], "string", "{response}");
        assert_eq!(response["predictions"]["additionalProperties"], schema_ref("Prediction"));
        assert_eq!(schemas["TrainConfig"]["properties"]["seed"]["type"], json!(["string", "integer"]));
        assert_eq!(schemas["Field"]["enum"], json!(["FIELD_TEXT", "FIELD_TITLE"]));
        let classify = &document["paths"]["/v1/classify"]["post"];
        assert_eq!(classify["requestBody"]["content"]["application/json"]["schema"], schema_ref("ClassifyRequest"));
    }
}

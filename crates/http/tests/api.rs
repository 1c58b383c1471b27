//! The admin API over HTTP on SQLite and PostgreSQL: authentication, catalog CRUD, stock
//! adjustments with their ledger, field-level 422s, and the OpenAPI document covering every
//! route.

use groupcart_bot::intake::Intake;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use groupcart_http::AppState;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;

const TOKEN: &str = "test-api-token";

struct TestApi {
    base: String,
    http: reqwest::Client,
}

async fn spawn_api(store: SharedStore, token: Option<&str>) -> TestApi {
    let metrics = Arc::new(Metrics::default());
    let state = AppState {
        store: store.clone(),
        intake: Intake::start(store, metrics.clone(), Arc::new(Notify::new())),
        metrics,
        webhooks: Arc::new(HashMap::new()),
        landing: Arc::new(Vec::new()),
        console: Default::default(),
        api_token: token.map(Arc::from),
        texts: Arc::new(groupcart_core::i18n::Texts::builtin()),
        wakers: groupcart_bot::SenderWakers::default(),
        shop: groupcart_core::shop::ShopSettings::default(),
        webapp: Arc::new(HashMap::new()),
        crm: groupcart_http::CrmSettings::default(),
        support: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, groupcart_http::router(state)).await });
    TestApi {
        base,
        http: reqwest::Client::new(),
    }
}

impl TestApi {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

fn dress() -> Value {
    json!({
        "handle": "summer-dress",
        "status": "active",
        "fulfilment": "physical",
        "vendor": "Lumi",
        "category": "Dresses",
        "tags": ["summer", "cotton"],
        "option_names": ["Size", "Colour"],
        "texts": [
            {"language": "en", "title": "Summer dress", "description_html": "<p>Light cotton</p>"},
            {"language": "zh-CN", "title": "夏日连衣裙"}
        ],
        "images": [{"src": "https://cdn.example.com/dress.jpg", "alt": "Dress"}],
        "variants": [
            {"sku": "DR-S-RED", "option_values": ["S", "Red"], "stock": 3, "weight_grams": 250,
             "prices": [{"currency": "USD", "amount": 2999, "compare_at": 3999}, {"currency": "JPY", "amount": 4500}]},
            {"sku": "DR-M-RED", "option_values": ["M", "Red"], "stock": 0,
             "prices": [{"currency": "USD", "amount": 2999}]}
        ]
    })
}

async fn catalog_round_trip(store: SharedStore) {
    let api = spawn_api(store, Some(TOKEN)).await;
    let (status, created) = api.call(Method::POST, "/products", Some(dress())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["texts"][1]["title"], "夏日连衣裙");
    // Prices come back ordered by currency code.
    assert_eq!(
        created["variants"][0]["prices"][0],
        json!({"currency": "JPY", "amount": 4500})
    );
    assert_eq!(
        created["variants"][0]["prices"][1],
        json!({"currency": "USD", "amount": 2999, "compare_at": 3999})
    );

    let (status, shown) = api
        .call(Method::GET, &format!("/products/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shown, created);

    // The same handle again is a conflict.
    let (status, body) = api.call(Method::POST, "/products", Some(dress())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");

    // Replace: a price changes, a variant is added; matched variants keep their ids.
    let mut edited = dress();
    edited["variants"][0]["prices"][0]["amount"] = json!(2499);
    edited["variants"].as_array_mut().unwrap().push(json!(
        {"sku": "DR-L-RED", "option_values": ["L", "Red"], "stock": 2, "prices": [{"currency": "USD", "amount": 2999}]}
    ));
    let (status, replaced) = api
        .call(Method::PUT, &format!("/products/{id}"), Some(edited))
        .await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    assert_eq!(replaced["variants"][0]["id"], created["variants"][0]["id"]);
    assert_eq!(replaced["variants"][0]["prices"][1]["amount"], 2499);
    assert_eq!(replaced["variants"].as_array().unwrap().len(), 3);

    // Archive, then filter.
    let (status, archived) = api
        .call(
            Method::PUT,
            &format!("/products/{id}/status"),
            Some(json!({"status": "archived"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(archived["status"], "archived");
    let (_, active) = api.call(Method::GET, "/products?status=active", None).await;
    assert!(active["products"].as_array().unwrap().is_empty());
    let (_, all) = api.call(Method::GET, "/products", None).await;
    assert_eq!(all["products"].as_array().unwrap().len(), 1);
}

async fn stock_adjustments_keep_a_ledger(store: SharedStore) {
    let api = spawn_api(store, Some(TOKEN)).await;
    let (_, created) = api.call(Method::POST, "/products", Some(dress())).await;
    let variant = created["variants"][0]["id"].as_i64().unwrap();
    let path = format!("/variants/{variant}/stock");

    let (status, level) = api
        .call(
            Method::POST,
            &path,
            Some(json!({"delta": 5, "reason": "received"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{level}");
    assert_eq!(level["stock"], 8);
    let (status, level) = api
        .call(
            Method::POST,
            &path,
            Some(json!({"delta": -8, "reason": "recount"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(level["stock"], 0);
    let (status, body) = api
        .call(
            Method::POST,
            &path,
            Some(json!({"delta": -1, "reason": "damaged"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "insufficient_stock");

    let (_, movements) = api
        .call(
            Method::GET,
            &format!("/variants/{variant}/stock-movements"),
            None,
        )
        .await;
    let reasons: Vec<&str> = movements
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["created", "received", "recount"]);
    assert_eq!(movements[2]["stock_after"], 0);
    assert_eq!(movements[2]["actor"], "api");

    let (status, body) = api
        .call(
            Method::POST,
            "/variants/999999/stock",
            Some(json!({"delta": 1, "reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn bad_input_gets_clear_errors(store: SharedStore) {
    let api = spawn_api(store, Some(TOKEN)).await;
    let mut bad = dress();
    bad["handle"] = json!("Summer Dress!");
    bad["variants"][1]["prices"][0]["amount"] = json!(-5);
    let (status, body) = api.call(Method::POST, "/products", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["handle", "variants[1].prices[0].amount"]);

    // Type errors name the field; a float price is refused, never rounded.
    let mut float = dress();
    float["variants"][0]["prices"][0]["amount"] = json!(29.99);
    let (status, body) = api.call(Method::POST, "/products", Some(float)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_body");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("amount"),
        "{body}"
    );

    let response = api
        .http
        .post(format!("{}/products", api.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "malformed_json");

    for (path, code) in [
        ("/products/abc", StatusCode::NOT_FOUND),
        ("/products/424242", StatusCode::NOT_FOUND),
    ] {
        let (status, body) = api.call(Method::GET, path, None).await;
        assert_eq!(status, code, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let (status, body) = api.call(Method::GET, "/products?limit=0", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "invalid_query");
    let (status, body) = api.call(Method::GET, "/products?status=sold", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn requires_the_token(store: SharedStore) {
    let api = spawn_api(store.clone(), Some(TOKEN)).await;
    for token in [None, Some("wrong")] {
        let mut request = api.http.get(format!("{}/products", api.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // The document is public.
    let response = api
        .http
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let off = spawn_api(store, None).await;
    let (status, body) = off.call(Method::GET, "/products", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["code"], "api_disabled");
}

async fn import_csv(api: &TestApi, query: &str, body: &str) -> (StatusCode, Value) {
    let response = api
        .http
        .post(format!("{}/catalog/import?{query}", api.base))
        .bearer_auth(TOKEN)
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn imports_a_shopify_csv(store: SharedStore) {
    let api = spawn_api(store, Some(TOKEN)).await;
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../catalog-csv/tests/fixtures/"
    );
    let good = std::fs::read_to_string(format!("{fixtures}shopify_export.csv")).unwrap();
    let bad = std::fs::read_to_string(format!("{fixtures}malformed.csv")).unwrap();

    let (status, body) = import_csv(&api, "currency=USD", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_csv");
    assert_eq!(body["error"]["fields"][0]["field"], "line 6");
    let (_, listed) = api.call(Method::GET, "/products", None).await;
    assert!(
        listed["products"].as_array().unwrap().is_empty(),
        "nothing imported"
    );

    let (status, body) = import_csv(&api, "currency=USD&skip_invalid=true", &bad).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!body["skipped"].as_array().unwrap().is_empty());

    let (status, first) = import_csv(&api, "currency=USD&language=en", &good).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(first["created"].as_u64().unwrap() > 0);
    let (_, again) = import_csv(&api, "currency=USD", &good).await;
    assert_eq!(again["created"], 0);
    assert_eq!(again["updated"], first["imported"]);

    let (status, body) = import_csv(&api, "currency=DOLLARS", &good).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "invalid_query");
}

groupcart_store_contract::backend_tests!(
    imports_a_shopify_csv,
    catalog_round_trip,
    stock_adjustments_keep_a_ledger,
    bad_input_gets_clear_errors,
    requires_the_token,
);

/// Every route the API serves is in the OpenAPI document, with the methods it answers.
#[tokio::test]
async fn openapi_documents_every_route() {
    let api = spawn_api(groupcart_store_contract::sqlite().await, Some(TOKEN)).await;
    let doc: Value = api
        .http
        .get(format!("{}/openapi.json", api.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let routes = [
        ("/products", &["get", "post"][..]),
        ("/products/{id}", &["get", "put"][..]),
        ("/products/{id}/status", &["put"][..]),
        ("/products/{id}/related", &["get"][..]),
        ("/recommendations/recompute", &["post"][..]),
        ("/variants/{id}/stock", &["post"][..]),
        ("/variants/{id}/stock-movements", &["get"][..]),
        ("/openapi.json", &["get"][..]),
        ("/catalog/import", &["post"][..]),
        ("/orders", &["get"][..]),
        ("/orders/{id}", &["get"][..]),
        ("/orders/{id}/ship", &["post"][..]),
        ("/orders/{id}/deliver", &["post"][..]),
        ("/orders/{id}/cancel", &["post"][..]),
        ("/orders/{id}/refund", &["post"][..]),
        ("/orders/{id}/confirm-payment", &["post"][..]),
        ("/promotions", &["get", "post"][..]),
        ("/promotions/{id}", &["get", "put"][..]),
        ("/promotions/{id}/codes", &["get", "post"][..]),
        ("/flash-sales", &["get", "post"][..]),
        ("/flash-sales/{id}", &["get"][..]),
        ("/flash-sales/{id}/announce", &["post"][..]),
        ("/flash-sales/{id}/schedule", &["put"][..]),
        ("/flash-sales/{id}/cancel", &["post"][..]),
        ("/group-buys", &["get", "post"][..]),
        ("/group-buys/{id}", &["get"][..]),
        ("/group-buys/{id}/end", &["post"][..]),
        ("/group-buy-teams/{id}", &["get"][..]),
        ("/chats", &["get"][..]),
        ("/chats/{bot}/{chat_id}/settings", &["put"][..]),
        ("/chats/{bot}/{chat_id}/invite-links", &["get", "post"][..]),
        ("/chats/{bot}/{chat_id}/moderation-log", &["get"][..]),
        (
            "/chats/{bot}/{chat_id}/members/{user_id}/unban",
            &["post"][..],
        ),
        (
            "/chats/{bot}/{chat_id}/members/{user_id}/unmute",
            &["post"][..],
        ),
        ("/chats/{bot}/{chat_id}/purge-candidates", &["get"][..]),
        ("/chats/{bot}/{chat_id}/purge", &["post"][..]),
        ("/posts", &["get", "post"][..]),
        ("/posts/{id}", &["get", "put"][..]),
        ("/posts/{id}/cancel", &["post"][..]),
        ("/customers/{id}", &["get", "patch"][..]),
        ("/customer-imports", &["get", "post"][..]),
        ("/customers/{id}/export", &["get"][..]),
        ("/customers/{id}/erase", &["post"][..]),
        ("/customers/{id}/points", &["get", "post"][..]),
        ("/audit", &["get"][..]),
        ("/tokens", &["get", "post"][..]),
        ("/tokens/{id}", &["delete"][..]),
        ("/audit/verify", &["get"][..]),
        ("/faq", &["get", "post"][..]),
        ("/faq/{id}", &["put", "delete"][..]),
        ("/faq/import", &["post"][..]),
        ("/faq/unanswered", &["get"][..]),
        ("/faq/ratings", &["get"][..]),
        ("/tickets", &["get"][..]),
        ("/tickets/{id}", &["get"][..]),
        ("/tickets/{id}/reply", &["post"][..]),
        ("/tickets/{id}/note", &["post"][..]),
        ("/tickets/{id}/resolve", &["post"][..]),
        ("/tickets/{id}/close", &["post"][..]),
        ("/canned-replies", &["get"][..]),
        ("/canned-replies/{name}/{language}", &["put"][..]),
        ("/canned-replies/{name}", &["delete"][..]),
        ("/support/report", &["get"][..]),
        ("/analytics/funnel", &["get"][..]),
        ("/analytics/retention", &["get"][..]),
        ("/analytics/growth", &["get"][..]),
        ("/analytics/commerce", &["get"][..]),
        ("/analytics/engagement", &["get"][..]),
        ("/analytics/members", &["get"][..]),
        ("/analytics/ltv", &["get"][..]),
        ("/analytics/hours", &["get"][..]),
        ("/source-costs", &["get", "post"][..]),
        ("/source-costs/{id}", &["delete"][..]),
        ("/crm/stages", &["get"][..]),
        ("/crm/recompute", &["post"][..]),
        ("/segments/preview", &["post"][..]),
        ("/segments", &["get", "post"][..]),
        ("/segments/{id}", &["get", "put", "delete"][..]),
        ("/tag-rules", &["get", "post"][..]),
        ("/tag-rules/{id}", &["get", "put", "delete"][..]),
        ("/tag-rules/{id}/preview", &["post"][..]),
        ("/broadcasts", &["get", "post"][..]),
        ("/broadcasts/{id}", &["get"][..]),
        ("/broadcasts/{id}/results", &["get"][..]),
        ("/broadcasts/{id}/pause", &["post"][..]),
        ("/broadcasts/{id}/resume", &["post"][..]),
        ("/broadcasts/{id}/cancel", &["post"][..]),
        ("/broadcasts/{id}/winner", &["post"][..]),
        ("/qr", &["get"][..]),
        ("/giveaways", &["post"][..]),
        ("/giveaways/{id}", &["get"][..]),
        ("/giveaways/{id}/end", &["post"][..]),
        ("/referral-settings", &["get", "put"][..]),
        ("/points-settings", &["get", "put"][..]),
        ("/tier-settings", &["get", "put"][..]),
        ("/automations", &["get"][..]),
        ("/automations/{flow}", &["get", "put"][..]),
        ("/automation-settings", &["get", "put"][..]),
        ("/referrals", &["get"][..]),
        ("/referrals/{id}/approve", &["post"][..]),
        ("/referrals/{id}/reject", &["post"][..]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(
        paths.len(),
        routes.len(),
        "documented paths: {:?}",
        paths.keys()
    );
    for (path, methods) in routes {
        for method in methods {
            assert!(
                doc["paths"][path][method].is_object(),
                "{method} {path} undocumented"
            );
        }
    }
    // Every schema reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "missing schema {name}"
        );
    }
}

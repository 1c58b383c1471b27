//! Orders: the list (status filter, search by order number or customer), an order's page
//! with its lines and timeline, marking it shipped, and shipping many at once from a CSV of
//! `order,carrier,tracking` with a report per line. Shipping runs `shop_admin::ship`, the
//! use case the admin API and the staff chat's `/ship` run, with the customer's message
//! and the audit entry in the same transaction.

use super::dashboard::money;
use super::html::{csrf_field, esc, flash, page, page_with, url_param, when};
use super::i18n::{t, Lang};
use super::{audit_in, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::console::Permission;
use groupcart_core::customer::CustomerId;
use groupcart_core::shop::{Order, OrderId, OrderQuery, OrderStatus};
use groupcart_core::shop_admin::{self, Actor};
use groupcart_core::Error;
use serde::Deserialize;

/// Most lines of one bulk-shipping file.
const MAX_CSV_LINES: usize = 2_000;

const STATUSES: [OrderStatus; 7] = [
    OrderStatus::PendingPayment,
    OrderStatus::Paid,
    OrderStatus::Shipped,
    OrderStatus::Delivered,
    OrderStatus::Completed,
    OrderStatus::Cancelled,
    OrderStatus::Refunded,
];

fn status_label(lang: Lang, status: OrderStatus) -> &'static str {
    t(lang, &format!("status.{}", status.as_str()))
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    before: Option<String>,
}

fn rows(lang: Lang, orders: &[Order]) -> String {
    if orders.is_empty() {
        return format!("<p class=\"muted\">{}</p>", t(lang, "orders.none"));
    }
    let rows: String = orders
        .iter()
        .map(|o| {
            format!(
                "<tr data-testid=\"order-row-{id}\"><td><a href=\"/orders/{id}\">#{id}</a></td><td>{status}</td>\
                 <td><a href=\"/customers/{customer}\">{customer}</a></td><td class=\"num\">{total}</td><td>{at}</td></tr>",
                id = o.id.0,
                status = status_label(lang, o.status),
                customer = o.customer_id.0,
                total = esc(&money(o.currency.code(), o.total)),
                at = esc(&when(o.created_at)),
            )
        })
        .collect();
    format!(
        "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
        t(lang, "orders.number"),
        t(lang, "orders.status"),
        t(lang, "orders.customer"),
        t(lang, "orders.total"),
        t(lang, "orders.placed"),
    )
}

/// `GET /orders?status=&q=&before=`.
pub async fn list(
    State(state): State<AppState>,
    me: Me,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageOrders)?;
        let status = query
            .status
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(OrderStatus::parse);
        let before = query.before.as_deref().and_then(|b| b.parse().ok()).map(OrderId);
        let q = query.q.as_deref().unwrap_or("").trim().to_owned();
        const PAGE: i64 = 50;
        let mut orders = Vec::new();
        let mut more = None;
        if q.is_empty() {
            orders = state
                .store
                .orders(&OrderQuery {
                    status,
                    before,
                    limit: PAGE,
                    ..Default::default()
                })
                .await?;
            if orders.len() as i64 == PAGE {
                more = orders.last().map(|o| o.id.0);
            }
        } else {
            // An order number, or the orders of the customers the text finds.
            let number = q.trim_start_matches('#');
            if let Ok(id) = number.parse::<i64>() {
                if let Some(order) = state.store.order(OrderId(id)).await? {
                    orders.push(order);
                }
            }
            for customer in state.store.search_customers(&q, 5).await? {
                let theirs = state
                    .store
                    .orders(&OrderQuery {
                        customer: Some(CustomerId(customer.id.0)),
                        status,
                        limit: PAGE,
                        ..Default::default()
                    })
                    .await?;
                orders.extend(theirs);
            }
            if let Some(status) = status {
                orders.retain(|o| o.status == status);
            }
            orders.sort_by_key(|o| std::cmp::Reverse(o.id));
            orders.dedup_by_key(|o| o.id);
        }
        let options: String = std::iter::once(format!(
            "<option value=\"\">{}</option>",
            t(lang, "orders.any_status")
        ))
        .chain(STATUSES.iter().map(|s| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                s.as_str(),
                if Some(*s) == status { " selected" } else { "" },
                status_label(lang, *s)
            )
        }))
        .collect();
        let next = more
            .map(|id| {
                format!(
                    "<p><a href=\"/orders?status={}&amp;before={id}\">{}</a></p>",
                    url_param(status.map_or("", |s| s.as_str())),
                    t(lang, "common.older")
                )
            })
            .unwrap_or_default();
        let body = format!(
            "<h1>{title}</h1>\
             <form method=\"get\" action=\"/orders\" class=\"card row\">\
             <div><label for=\"q\">{search}</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\"></div>\
             <div><label for=\"status\">{status_label}</label><select id=\"status\" name=\"status\">{options}</select></div>\
             <div><button type=\"submit\">{filter}</button></div></form>\
             <p><a href=\"/orders/bulk-ship\" data-testid=\"bulk-ship\">{bulk}</a></p>{rows}{next}",
            title = t(lang, "orders.title"),
            search = t(lang, "orders.search"),
            q = esc(&q),
            status_label = t(lang, "orders.status"),
            filter = t(lang, "common.filter"),
            bulk = t(lang, "orders.bulk_title"),
            rows = rows(lang, &orders),
        );
        Ok::<_, Fail>(page(&me, "/orders", t(lang, "orders.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

fn order_page(me: &Me, order: &Order, status: StatusCode, banner: &str) -> Response {
    let lang = me.lang;
    let lines: String = order
        .lines
        .iter()
        .map(|line| {
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&line.title),
                esc(line.sku.as_deref().unwrap_or("")),
                line.quantity,
                esc(&money(order.currency.code(), line.total()))
            )
        })
        .collect();
    let address = order
        .shipping_address
        .as_ref()
        .map(|a| {
            [
                a.name.clone(),
                a.phone.clone(),
                Some(a.street_line1.clone()),
                a.street_line2.clone(),
                Some(format!(
                    "{} {}",
                    a.post_code.clone().unwrap_or_default(),
                    a.city
                )),
                a.state.clone(),
                Some(a.country_code.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|l| !l.trim().is_empty())
            .map(|l| esc(&l))
            .collect::<Vec<_>>()
            .join("<br>")
        })
        .unwrap_or_else(|| {
            format!(
                "<span class=\"muted\">{}</span>",
                t(lang, "orders.no_address")
            )
        });
    let timeline: String = order
        .timeline
        .iter()
        .map(|event| {
            format!(
                "<li>{} · {} · {}{}</li>",
                esc(&when(event.at)),
                status_label(lang, event.status),
                esc(&event.actor),
                event
                    .note
                    .as_deref()
                    .map(|n| format!(" · {}", esc(n)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let tracking = match (&order.carrier, &order.tracking_number) {
        (Some(carrier), Some(number)) => format!(
            "<p>{}: {} {}</p>",
            t(lang, "orders.tracking"),
            esc(carrier),
            esc(number)
        ),
        _ => String::new(),
    };
    let ship = if order.status == OrderStatus::Paid {
        format!(
            "<form method=\"post\" action=\"/orders/{id}/ship\" class=\"card\"><h2>{title}</h2>{csrf}\
             <div class=\"row\"><div><label for=\"carrier\">{carrier}</label><input type=\"text\" id=\"carrier\" name=\"carrier\" required maxlength=\"64\"></div>\
             <div><label for=\"tracking\">{tracking}</label><input type=\"text\" id=\"tracking\" name=\"tracking\" required maxlength=\"64\"></div>\
             <div><button type=\"submit\" data-testid=\"ship\">{submit}</button></div></div></form>",
            id = order.id.0,
            title = t(lang, "orders.ship_title"),
            csrf = csrf_field(&me.session.csrf_token),
            carrier = t(lang, "orders.carrier"),
            tracking = t(lang, "orders.tracking_number"),
            submit = t(lang, "orders.ship"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{title} #{id} <span class=\"badge\" data-testid=\"order-status\">{status}</span></h1>{banner}\
         <div class=\"card\"><p>{customer_label}: <a href=\"/customers/{customer}\">{customer}</a> · {bot_label}: {bot}</p>\
         <div class=\"scroll\"><table><thead><tr><th>{item}</th><th>SKU</th><th>{qty}</th><th>{amount}</th></tr></thead><tbody>{lines}</tbody></table></div>\
         <p>{subtotal_label}: {subtotal} · {shipping_label}: {shipping} · {discount_label}: {discount} · <strong>{total_label}: {total}</strong></p>{tracking}</div>\
         {ship}<div class=\"card\"><h2>{address_label}</h2><p>{address}</p></div>\
         <div class=\"card\"><h2>{timeline_label}</h2><ul>{timeline}</ul></div>",
        title = t(lang, "orders.order"),
        id = order.id.0,
        status = status_label(lang, order.status),
        customer_label = t(lang, "orders.customer"),
        customer = order.customer_id.0,
        bot_label = t(lang, "orders.bot"),
        bot = esc(&order.bot),
        item = t(lang, "orders.item"),
        qty = t(lang, "orders.quantity"),
        amount = t(lang, "orders.amount"),
        subtotal_label = t(lang, "orders.subtotal"),
        subtotal = esc(&money(order.currency.code(), order.subtotal)),
        shipping_label = t(lang, "orders.shipping"),
        shipping = esc(&money(order.currency.code(), order.shipping_cost)),
        discount_label = t(lang, "orders.discount"),
        discount = esc(&money(order.currency.code(), order.discount)),
        total_label = t(lang, "orders.total"),
        total = esc(&money(order.currency.code(), order.total)),
        address_label = t(lang, "orders.address"),
        timeline_label = t(lang, "orders.timeline"),
    );
    let path = format!("/orders/{}", order.id.0);
    page_with(
        me,
        status,
        &path,
        &format!("{} #{}", t(lang, "orders.order"), order.id.0),
        &body,
    )
}

/// `GET /orders/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageOrders)?;
        let id = path_id(&id)?;
        let order = state
            .store
            .order(OrderId(id))
            .await?
            .ok_or(Fail::NotFound)?;
        let banner = match done.ok.as_deref() {
            Some("shipped") => flash(true, t(lang, "orders.shipped")),
            _ => String::new(),
        };
        Ok::<_, Fail>(order_page(&me, &order, StatusCode::OK, &banner))
    }
    .await;
    respond(lang, outcome)
}

/// Ships one order as `me`, in one transaction with the customer's message and the audit
/// entry; wakes the sender.
async fn ship_one(
    state: &AppState,
    me: &Me,
    id: i64,
    carrier: &str,
    tracking: &str,
) -> Result<Order, Error> {
    let actor_name = me.user.actor();
    let actor = Actor {
        name: &actor_name,
        at: state.crm.clock.now(),
    };
    let mut tx = state.store.begin().await?;
    let order = shop_admin::ship(
        tx.as_mut(),
        &state.texts,
        OrderId(id),
        carrier,
        tracking,
        &actor,
    )
    .await?;
    let entry = me.audit(
        "console.order.ship",
        format!("order:{id}"),
        serde_json::json!({ "carrier": carrier.trim(), "tracking_number": tracking.trim() }),
    );
    audit_in(state, tx.as_mut(), entry).await?;
    tx.commit().await?;
    state.wakers.wake(&order.bot);
    Ok(order)
}

/// `POST /orders/{id}/ship` (form: carrier, tracking).
pub async fn ship(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageOrders)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let carrier = form.get("carrier").unwrap_or_default();
        let tracking = form.get("tracking").unwrap_or_default();
        match ship_one(&state, &me, id, carrier, tracking).await {
            Ok(_) => Ok(see_other(&format!("/orders/{id}?ok=shipped"))),
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let order = state
                    .store
                    .order(OrderId(id))
                    .await?
                    .ok_or(Fail::NotFound)?;
                let banner = flash(false, &problem(lang, &error));
                Ok(order_page(
                    &me,
                    &order,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &banner,
                ))
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

fn bulk_page(me: &Me, status: StatusCode, report: &str) -> Response {
    let lang = me.lang;
    let body = format!(
        "<h1>{title}</h1><p class=\"muted\">{help}</p>{report}\
         <form method=\"post\" action=\"/orders/bulk-ship\" enctype=\"multipart/form-data\" class=\"card\">{csrf}\
         <label for=\"file\">{file}</label><input type=\"file\" id=\"file\" name=\"file\" accept=\".csv,text/csv\">\
         <label for=\"csv\">{paste}</label><textarea id=\"csv\" name=\"csv\" placeholder=\"order,carrier,tracking&#10;1042,DHL,JD0123456789\"></textarea>\
         <div><button type=\"submit\" data-testid=\"bulk-submit\">{submit}</button></div></form>",
        title = t(lang, "orders.bulk_title"),
        help = t(lang, "orders.bulk_help"),
        csrf = csrf_field(&me.session.csrf_token),
        file = t(lang, "orders.bulk_file"),
        paste = t(lang, "orders.bulk_paste"),
        submit = t(lang, "orders.bulk_submit"),
    );
    page_with(
        me,
        status,
        "/orders/bulk-ship",
        t(lang, "orders.bulk_title"),
        &body,
    )
}

/// `GET /orders/bulk-ship`.
pub async fn bulk_form(me: Me) -> Response {
    let lang = me.lang;
    let outcome = me
        .require(Permission::ManageOrders)
        .map(|()| bulk_page(&me, StatusCode::OK, ""));
    respond(lang, outcome)
}

/// One line of a bulk-shipping file, read.
struct Line {
    number: usize,
    order: String,
    outcome: Result<(), String>,
}

/// `POST /orders/bulk-ship` (multipart: `csrf`, and `file` or `csv`): ships every line it
/// can, each in its own transaction, and reports each line.
pub async fn bulk_ship(State(state): State<AppState>, me: Me, multipart: Multipart) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageOrders)?;
        let (fields, text) = read_upload(multipart).await?;
        me.check_csrf(&fields)?;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut lines = Vec::new();
        for (index, record) in reader.records().enumerate() {
            let number = index + 1;
            if lines.len() >= MAX_CSV_LINES {
                lines.push(Line {
                    number,
                    order: String::new(),
                    outcome: Err(t(lang, "orders.bulk_too_many").to_owned()),
                });
                break;
            }
            let record = match record {
                Ok(record) => record,
                Err(_) => {
                    lines.push(Line {
                        number,
                        order: String::new(),
                        outcome: Err(t(lang, "orders.bulk_unreadable").to_owned()),
                    });
                    continue;
                }
            };
            let field = |i: usize| record.get(i).unwrap_or("").to_owned();
            let order = field(0);
            if record.iter().all(str::is_empty) {
                continue;
            }
            // A header line is welcome and skipped.
            if number == 1 && order.eq_ignore_ascii_case("order") {
                continue;
            }
            let outcome = if record.len() != 3 {
                Err(t(lang, "orders.bulk_columns").to_owned())
            } else {
                match order.trim_start_matches('#').parse::<i64>() {
                    Err(_) => Err(t(lang, "orders.bulk_bad_number").to_owned()),
                    Ok(id) => match ship_one(&state, &me, id, &field(1), &field(2)).await {
                        Ok(_) => Ok(()),
                        Err(error) => Err(problem(lang, &error)),
                    },
                }
            };
            lines.push(Line {
                number,
                order,
                outcome,
            });
        }
        let shipped = lines.iter().filter(|l| l.outcome.is_ok()).count();
        let failed = lines.len() - shipped;
        let rows: String = lines
            .iter()
            .map(|line| {
                let (class, text) = match &line.outcome {
                    Ok(()) => ("", t(lang, "orders.bulk_ok").to_owned()),
                    Err(message) => ("late", message.clone()),
                };
                format!(
                    "<tr data-testid=\"bulk-line-{n}\"><td class=\"num\">{n}</td><td>{order}</td><td class=\"{class}\">{text}</td></tr>",
                    n = line.number,
                    order = esc(&line.order),
                    text = esc(&text)
                )
            })
            .collect();
        let summary = format!(
            "{}: {shipped} · {}: {failed}",
            t(lang, "orders.bulk_shipped"),
            t(lang, "orders.bulk_failed")
        );
        let report = format!(
            "{}<div class=\"scroll card\"><table data-testid=\"bulk-report\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
            flash(failed == 0, &summary),
            t(lang, "orders.bulk_line"),
            t(lang, "orders.number"),
            t(lang, "orders.bulk_result"),
        );
        Ok::<_, Fail>(bulk_page(&me, StatusCode::OK, &report))
    }
    .await;
    respond(lang, outcome)
}

/// The form fields and the CSV text (the file if one was chosen, else the pasted text).
async fn read_upload(mut multipart: Multipart) -> Result<(Form, String), Fail> {
    let mut fields = Vec::new();
    let mut file = String::new();
    let mut pasted = String::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| Fail::BadRequest)? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|_| Fail::BadRequest)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "file" => file = text,
            "csv" => pasted = text,
            _ => fields.push((name, text)),
        }
    }
    let text = if file.trim().is_empty() { pasted } else { file };
    // A byte-order mark from spreadsheet exports is not part of the first order number.
    let text = text.trim_start_matches('\u{feff}').to_owned();
    Ok((Form(fields), text))
}

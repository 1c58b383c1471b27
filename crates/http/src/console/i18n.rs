//! The console's words, in English and Chinese: one table per language with the same keys
//! (a unit test holds them together). The language comes from the switch's cookie, else the
//! browser's `Accept-Language`.

/// A console language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The first supported language of an `Accept-Language` header, by preference weight.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                Lang::Zh
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, lang));
            }
        }
        best.map_or(Lang::En, |(_, lang)| lang)
    }
}

/// The text of `key` in `lang` (English if the key is missing there, the key itself if it
/// is missing everywhere, which the tests rule out for the keys the pages use).
pub fn t(lang: Lang, key: &str) -> &'static str {
    let table = match lang {
        Lang::En => EN,
        Lang::Zh => ZH,
    };
    lookup(table, key)
        .or_else(|| lookup(EN, key))
        .unwrap_or("?")
}

fn lookup(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

const EN: &[(&str, &str)] = &[
    ("nav.dashboard", "Dashboard"),
    ("nav.orders", "Orders"),
    ("nav.inbox", "Inbox"),
    ("nav.customers", "Customers"),
    ("nav.audit", "Audit log"),
    ("nav.users", "Users"),
    ("nav.logout", "Log out"),
    ("common.filter", "Filter"),
    ("common.search", "Search"),
    ("common.none", "Nothing yet."),
    ("common.older", "Older →"),
    ("common.yes", "yes"),
    ("common.no", "no"),
    ("common.does_not_exist", "does not exist"),
    ("login.title", "Log in to groupcart"),
    ("login.username", "Username"),
    ("login.password", "Password"),
    ("login.code", "Authenticator code (if 2FA is on)"),
    ("login.submit", "Log in"),
    ("login.wrong", "Wrong username, password or code."),
    ("login.code_needed", "Enter your password again with the 6-digit code from your authenticator app."),
    ("login.too_many", "Too many failed logins. Wait 15 minutes and try again."),
    ("login.expired", "The form expired. Please try again."),
    ("dash.title", "Dashboard"),
    ("dash.today", "Today"),
    ("dash.week", "Last 7 days"),
    ("dash.now", "Right now"),
    ("dash.new_customers", "New customers"),
    ("dash.orders", "Orders"),
    ("dash.gmv", "Paid GMV"),
    ("dash.sla_breaches", "SLA breaches"),
    ("dash.open_tickets", "Open tickets"),
    ("dash.outbox", "Messages waiting to send"),
    ("dash.outbox_failed", "Messages failed"),
    ("dash.no_figures", "Your role shows no figures here; use the menu above."),
    ("orders.title", "Orders"),
    ("orders.order", "Order"),
    ("orders.search", "Order number, customer name or @username"),
    ("orders.any_status", "Any status"),
    ("orders.status", "Status"),
    ("orders.number", "Order"),
    ("orders.customer", "Customer"),
    ("orders.total", "Total"),
    ("orders.placed", "Placed"),
    ("orders.none", "No orders match."),
    ("orders.bot", "Bot"),
    ("orders.item", "Item"),
    ("orders.quantity", "Qty"),
    ("orders.amount", "Amount"),
    ("orders.subtotal", "Subtotal"),
    ("orders.shipping", "Shipping"),
    ("orders.discount", "Discount"),
    ("orders.tracking", "Shipped with"),
    ("orders.address", "Shipping address"),
    ("orders.no_address", "No address (digital goods or not given yet)."),
    ("orders.timeline", "Timeline"),
    ("orders.ship_title", "Mark shipped"),
    ("orders.carrier", "Carrier"),
    ("orders.tracking_number", "Tracking number"),
    ("orders.ship", "Mark shipped"),
    ("orders.shipped", "Marked shipped; the customer is being told."),
    ("orders.bulk_title", "Ship many orders from a CSV"),
    ("orders.bulk_help", "One order per line: order,carrier,tracking. A header line is allowed. Each line is shipped on its own; the report shows each line's result."),
    ("orders.bulk_file", "CSV file"),
    ("orders.bulk_paste", "…or paste the lines"),
    ("orders.bulk_submit", "Ship"),
    ("orders.bulk_line", "Line"),
    ("orders.bulk_result", "Result"),
    ("orders.bulk_ok", "shipped"),
    ("orders.bulk_shipped", "Shipped"),
    ("orders.bulk_failed", "Failed"),
    ("orders.bulk_columns", "expected 3 columns: order,carrier,tracking"),
    ("orders.bulk_bad_number", "the order number is not a number"),
    ("orders.bulk_unreadable", "this line cannot be read as CSV"),
    ("orders.bulk_too_many", "too many lines; the rest were not read (at most 2000 per file)"),
    ("status.pending_payment", "awaiting payment"),
    ("status.paid", "paid"),
    ("status.shipped", "shipped"),
    ("status.delivered", "delivered"),
    ("status.completed", "completed"),
    ("status.cancelled", "cancelled"),
    ("status.refunded", "refunded"),
    ("inbox.title", "Inbox"),
    ("inbox.ticket", "Ticket"),
    ("inbox.topic", "Topic"),
    ("inbox.group", "Agent group"),
    ("inbox.opened", "Opened"),
    ("inbox.due", "Due"),
    ("inbox.overdue", "overdue"),
    ("inbox.none", "No tickets here."),
    ("inbox.all", "all"),
    ("inbox.language", "Language"),
    ("inbox.customer", "Customer"),
    ("inbox.agent", "Agent"),
    ("inbox.note", "Internal note"),
    ("inbox.reply_label", "Your answer (the customer gets a reply; a note stays internal)"),
    ("inbox.reply", "Send reply"),
    ("inbox.add_note", "Add internal note"),
    ("inbox.resolve", "Resolve"),
    ("inbox.text_needed", "Write 1 to 4096 characters."),
    ("inbox.done_replied", "Reply sent to the customer."),
    ("inbox.done_noted", "Note added."),
    ("inbox.done_resolved", "Ticket resolved; the customer is asked for a rating."),
    ("ticket.open", "open"),
    ("ticket.pending", "pending"),
    ("ticket.resolved", "resolved"),
    ("ticket.closed", "closed"),
    ("customers.title", "Customers"),
    ("customers.search", "Name, @username, customer ID or Telegram ID"),
    ("customers.none", "No customers match."),
    ("customers.name", "Name"),
    ("customers.username", "Username"),
    ("customers.language", "Language"),
    ("customers.source", "First source"),
    ("customers.first_seen", "First seen"),
    ("customers.last_seen", "Last seen"),
    ("customers.stage", "Lifecycle stage"),
    ("customers.orders_paid", "Paid orders"),
    ("customers.ltv", "Lifetime value"),
    ("customers.marketing", "Marketing consent"),
    ("customers.tags", "Tags"),
    ("customers.notes", "Notes"),
    ("customers.tickets", "Tickets"),
    ("customers.consent", "Consent history"),
    ("customers.granted", "granted"),
    ("customers.withdrawn", "withdrawn"),
    ("customers.erased", "Personal data erased on"),
    ("audit.title", "Audit log"),
    ("audit.when", "When"),
    ("audit.actor", "Who"),
    ("audit.action", "Action"),
    ("audit.target", "On"),
    ("audit.details", "Details"),
    ("users.title", "Console users"),
    ("users.display_name", "Display name"),
    ("users.role", "Role"),
    ("users.state", "State"),
    ("users.created", "Created"),
    ("users.active", "active"),
    ("users.disabled", "disabled"),
    ("users.disable", "Disable"),
    ("users.enable", "Enable"),
    ("users.add", "Add user"),
    ("users.custom", "Custom permissions (with the role “custom”)"),
    ("users.password_help", "At least 10 characters. Leave empty to generate one, shown once."),
    ("users.added", "Added"),
    ("users.generated", "password (shown once)"),
    ("users.bad_role", "Choose a role."),
    ("users.done_disabled", "User disabled; their sessions ended."),
    ("users.done_enabled", "User enabled."),
    ("role.owner", "owner"),
    ("role.admin", "admin"),
    ("role.agent", "agent"),
    ("role.analyst", "analyst"),
    ("role.custom", "custom"),
    ("nav.catalog", "Catalog"),
    ("nav.segments", "Segments"),
    ("nav.broadcasts", "Broadcasts"),
    ("segments.title", "Segments"),
    ("segments.none", "No saved segments yet."),
    ("segments.name", "Name"),
    ("segments.rule", "Rule"),
    ("segments.count", "Customers now"),
    ("segments.reachable", "Marketing may reach"),
    ("segments.updated", "Updated"),
    ("segments.deleted", "Segment deleted."),
    ("segments.new", "New segment"),
    ("segments.edit", "Edit segment"),
    ("segments.try_rule", "Try a rule"),
    ("segments.help_title", "How to write a rule"),
    ("segments.help_intro", "Compare profile fields, joined with and, or, not and parentheses (and binds tighter than or). Keywords in any case; text compares regardless of case."),
    ("segments.help_text", "text (e.g. language = es, country in (ID, MY), time_zone = \"Asia/Jakarta\")"),
    ("segments.help_tag", "tag = vip: has the tag; tag != vip: has not"),
    ("segments.help_number", "numbers (orders ever paid, RFM scores 0-5, days since the last order, last and first visit)"),
    ("segments.help_ops", "Operators: =, !=, <, <=, >, >=, in (…), not in (…). Values are bare words, numbers or \"quoted text\". A value the customer does not have makes every comparison false except != and not in. An empty rule matches everyone."),
    ("segments.help_examples", "Examples"),
    ("segments.rule_error", "The rule does not parse, at character"),
    ("segments.country", "Country"),
    ("segments.preview_title", "Preview (not saved)"),
    ("segments.save", "Save"),
    ("segments.saved", "Segment saved."),
    ("segments.delete", "Delete this segment"),
    ("segments.empty_rule", "An empty rule matches every customer. Broadcasts reach only those with marketing consent who have not blocked the bot."),
    ("segments.preview", "Preview count"),
    ("segments.broadcast", "Send a broadcast to this segment →"),
    ("broadcasts.title", "Broadcasts"),
    ("broadcasts.none", "No broadcasts yet."),
    ("broadcasts.new", "Compose a broadcast"),
    ("broadcasts.name", "Name"),
    ("broadcasts.created", "Created"),
    ("broadcasts.delivered_of", "Delivered / recipients"),
    ("broadcasts.bot", "Bot that sends it"),
    ("broadcasts.default_language", "default language"),
    ("broadcasts.choose_segment", "— choose a saved segment —"),
    ("broadcasts.audience", "Audience"),
    ("broadcasts.saved_segment", "Saved segment"),
    ("broadcasts.a_rule", "A rule"),
    ("broadcasts.consent_note", "Only customers with marketing consent who have not blocked the bot receive it."),
    ("broadcasts.rule_help", "Write and preview a rule on the segments page."),
    ("broadcasts.message", "Message"),
    ("broadcasts.texts_help", "A text per language; each customer gets theirs, else the bot's default language (required). {name} becomes the customer's first name. Fill in variant B (up to D) for an A/B test: recipients are split at random."),
    ("broadcasts.variant", "Variant"),
    ("broadcasts.ab_optional", "optional, for A/B"),
    ("broadcasts.required", "required"),
    ("broadcasts.buttons", "Link buttons (optional)"),
    ("broadcasts.buttons_help", "One row per line: text | https://link; several buttons in a row separated by ||. At most 8 rows of 4."),
    ("broadcasts.when", "When"),
    ("broadcasts.now", "Now"),
    ("broadcasts.at_utc", "At a UTC time"),
    ("broadcasts.at_local", "At this local time in each recipient's time zone"),
    ("broadcasts.holdout", "Holdout (% who get nothing, 0-50)"),
    ("broadcasts.holdout_short", "holdout"),
    ("broadcasts.attribution", "Attribution window (hours, 1-720)"),
    ("broadcasts.schedule", "Schedule"),
    ("broadcasts.done_planned", "Broadcast scheduled."),
    ("broadcasts.done_paused", "Broadcast paused."),
    ("broadcasts.done_resumed", "Broadcast resumed."),
    ("broadcasts.done_cancelled", "Broadcast cancelled; its waiting messages were withdrawn."),
    ("broadcasts.eta", "Time left"),
    ("broadcasts.results", "Results per variant"),
    ("broadcasts.recipients", "Recipients"),
    ("broadcasts.blocked", "Blocked"),
    ("broadcasts.clicked", "Clicked"),
    ("broadcasts.buyers", "Buyers"),
    ("broadcasts.refresh", "Refresh"),
    ("broadcasts.pause", "Pause"),
    ("broadcasts.resume", "Resume"),
    ("broadcasts.cancel", "Cancel broadcast"),
    ("broadcast.sending", "sending"),
    ("broadcast.paused", "paused"),
    ("broadcast.done", "done"),
    ("broadcast.cancelled", "cancelled"),
    ("recipient.planned", "planned"),
    ("recipient.waiting", "waiting to send"),
    ("recipient.delivered", "delivered"),
    ("recipient.failed", "failed"),
    ("recipient.skipped", "skipped"),
    ("recipient.held_out", "held out"),
    ("recipient.cancelled", "cancelled"),
    ("catalog.title", "Catalog"),
    ("catalog.none", "No products."),
    ("catalog.product", "Product"),
    ("catalog.variants", "Variants (options · prices · stock)"),
    ("catalog.stock", "Stock"),
    ("catalog.more", "More →"),
    ("catalog.price", "Price"),
    ("catalog.delta", "Change (+ adds, − removes)"),
    ("catalog.reason", "Reason"),
    ("catalog.adjust", "Adjust stock"),
    ("catalog.movements", "Recent stock movements"),
    ("catalog.handle", "Handle"),
    ("catalog.fulfilment", "Fulfilment"),
    ("catalog.category", "Category"),
    ("catalog.set_status", "Change status"),
    ("catalog.status_help", "Active products are on sale; drafts and archived products are hidden from customers (archiving keeps order history whole)."),
    ("catalog.done_stock", "Stock adjusted."),
    ("catalog.done_status", "Status changed."),
    ("catalog.delta_number", "The change must be a whole number, e.g. 5 or -2."),
    ("catalog.below_zero", "Not enough stock: the stock would go below zero."),
    ("product.active", "active"),
    ("product.draft", "draft"),
    ("product.archived", "archived"),
    ("fulfilment.physical", "physical"),
    ("fulfilment.digital", "digital"),
    ("error.back", "Back to the dashboard"),
    ("error.forbidden.title", "Not allowed"),
    ("error.forbidden.text", "Your role does not allow this page. Ask an owner or admin if you need it."),
    ("error.not_found.title", "Not found"),
    ("error.not_found.text", "There is nothing at this address."),
    ("error.csrf.title", "Form expired"),
    ("error.csrf.text", "This form was not sent from your current session. Go back, reload the page and try again."),
    ("error.bad_request.title", "Cannot do that"),
    ("error.bad_request.text", "The request could not be read or is not allowed in this state."),
    ("error.internal.title", "Something went wrong"),
    ("error.internal.text", "Something went wrong on our side. Try again in a moment."),
    ("nav.analytics", "Analytics"),
    ("an.title", "Analytics"),
    ("an.from", "From"),
    ("an.to", "To"),
    ("an.chat", "Chat id"),
    ("an.source", "Source"),
    ("an.language", "Language"),
    ("an.country", "Country"),
    ("an.bucket", "Group by"),
    ("an.bucket.day", "Day"),
    ("an.bucket.week", "Week"),
    ("an.bucket.month", "Month"),
    ("an.show", "Show"),
    ("an.csv", "Download CSV"),
    ("an.no_data", "No data for this period yet."),
    ("an.funnel", "Funnel"),
    ("an.step", "Step"),
    ("an.people", "People"),
    ("an.from_previous", "From the step before"),
    ("an.from_first", "From the first step"),
    ("an.drop_off", "Dropped off"),
    ("an.step.joined", "Joined a chat"),
    ("an.step.started_bot", "Started the bot"),
    ("an.step.viewed_product", "Viewed a product"),
    ("an.step.added_to_cart", "Added to cart"),
    ("an.step.checkout", "Checked out"),
    ("an.step.paid", "Paid"),
    ("an.growth", "Growth"),
    ("an.joins", "Joins"),
    ("an.leaves", "Leaves"),
    ("an.net", "Net members"),
    ("an.new_customers", "New customers"),
    ("an.all_sources", "All sources"),
    ("an.direct", "(direct)"),
    ("an.invite_links", "Invite links: joins → first order"),
    ("an.converted", "Ordered"),
    ("an.rate", "Conversion"),
    ("an.retention", "Retention"),
    ("an.day_7", "7-day retention"),
    ("an.day_30", "30-day retention"),
    ("an.cohorts", "Weekly cohorts: share active each week"),
    ("an.cohorts_note", "A row per week of first sight (Monday, UTC), its size, then the share of it active in each following week."),
    ("an.commerce", "Sales"),
    ("an.currency", "Currency"),
    ("an.orders", "Orders"),
    ("an.gmv", "GMV"),
    ("an.aov", "Average order"),
    ("an.repeat_rate", "Repeat buyers"),
    ("an.days_between", "Median days between orders"),
    ("an.refund_rate", "Refund rate"),
    ("an.coupon_roi", "Coupons: revenue per unit of discount"),
    ("an.promotion", "Promotion"),
    ("an.code", "Code"),
    ("an.revenue", "Revenue"),
    ("an.discount", "Discount given"),
    ("an.roi", "ROI"),
    ("an.engagement", "Engagement"),
    ("an.active", "Active customers"),
    ("an.messages", "Messages"),
    ("an.mean_dau", "Daily active (mean)"),
    ("an.mau", "Active in the last 30 days"),
    ("an.stickiness", "Stickiness (DAU/MAU)"),
    ("an.faq_deflection", "Questions the FAQ answered"),
];

const ZH: &[(&str, &str)] = &[
    ("nav.dashboard", "概览"),
    ("nav.orders", "订单"),
    ("nav.inbox", "客服工单"),
    ("nav.customers", "客户"),
    ("nav.audit", "审计日志"),
    ("nav.users", "用户"),
    ("nav.logout", "退出登录"),
    ("common.filter", "筛选"),
    ("common.search", "搜索"),
    ("common.none", "暂无内容。"),
    ("common.older", "更早 →"),
    ("common.yes", "是"),
    ("common.no", "否"),
    ("common.does_not_exist", "不存在"),
    ("login.title", "登录 groupcart"),
    ("login.username", "用户名"),
    ("login.password", "密码"),
    ("login.code", "验证器动态码（如已开启两步验证）"),
    ("login.submit", "登录"),
    ("login.wrong", "用户名、密码或动态码错误。"),
    (
        "login.code_needed",
        "请重新输入密码，并填写验证器应用中的 6 位动态码。",
    ),
    ("login.too_many", "登录失败次数过多，请 15 分钟后再试。"),
    ("login.expired", "表单已过期，请重试。"),
    ("dash.title", "概览"),
    ("dash.today", "今天"),
    ("dash.week", "最近 7 天"),
    ("dash.now", "当前"),
    ("dash.new_customers", "新客户"),
    ("dash.orders", "订单数"),
    ("dash.gmv", "已付款成交额"),
    ("dash.sla_breaches", "SLA 超时"),
    ("dash.open_tickets", "未结工单"),
    ("dash.outbox", "待发送消息"),
    ("dash.outbox_failed", "发送失败消息"),
    (
        "dash.no_figures",
        "您的角色在此处没有可查看的数据，请使用上方菜单。",
    ),
    ("orders.title", "订单"),
    ("orders.order", "订单"),
    ("orders.search", "订单号、客户姓名或 @用户名"),
    ("orders.any_status", "全部状态"),
    ("orders.status", "状态"),
    ("orders.number", "订单号"),
    ("orders.customer", "客户"),
    ("orders.total", "合计"),
    ("orders.placed", "下单时间"),
    ("orders.none", "没有符合条件的订单。"),
    ("orders.bot", "机器人"),
    ("orders.item", "商品"),
    ("orders.quantity", "数量"),
    ("orders.amount", "金额"),
    ("orders.subtotal", "小计"),
    ("orders.shipping", "运费"),
    ("orders.discount", "优惠"),
    ("orders.tracking", "物流"),
    ("orders.address", "收货地址"),
    ("orders.no_address", "无地址（数字商品或尚未填写）。"),
    ("orders.timeline", "订单记录"),
    ("orders.ship_title", "标记为已发货"),
    ("orders.carrier", "快递公司"),
    ("orders.tracking_number", "运单号"),
    ("orders.ship", "标记已发货"),
    ("orders.shipped", "已标记发货，正在通知客户。"),
    ("orders.bulk_title", "通过 CSV 批量发货"),
    (
        "orders.bulk_help",
        "每行一个订单：订单号,快递公司,运单号。可以包含表头行。每行单独处理，结果逐行显示。",
    ),
    ("orders.bulk_file", "CSV 文件"),
    ("orders.bulk_paste", "……或直接粘贴内容"),
    ("orders.bulk_submit", "发货"),
    ("orders.bulk_line", "行"),
    ("orders.bulk_result", "结果"),
    ("orders.bulk_ok", "已发货"),
    ("orders.bulk_shipped", "已发货"),
    ("orders.bulk_failed", "失败"),
    ("orders.bulk_columns", "应为 3 列：订单号,快递公司,运单号"),
    ("orders.bulk_bad_number", "订单号不是数字"),
    ("orders.bulk_unreadable", "此行无法按 CSV 读取"),
    (
        "orders.bulk_too_many",
        "行数过多，其余未读取（每个文件最多 2000 行）",
    ),
    ("status.pending_payment", "待付款"),
    ("status.paid", "已付款"),
    ("status.shipped", "已发货"),
    ("status.delivered", "已送达"),
    ("status.completed", "已完成"),
    ("status.cancelled", "已取消"),
    ("status.refunded", "已退款"),
    ("inbox.title", "客服工单"),
    ("inbox.ticket", "工单"),
    ("inbox.topic", "主题"),
    ("inbox.group", "客服组"),
    ("inbox.opened", "创建时间"),
    ("inbox.due", "截止时间"),
    ("inbox.overdue", "已超时"),
    ("inbox.none", "这里没有工单。"),
    ("inbox.all", "全部"),
    ("inbox.language", "语言"),
    ("inbox.customer", "客户"),
    ("inbox.agent", "客服"),
    ("inbox.note", "内部备注"),
    (
        "inbox.reply_label",
        "您的回复（回复会发给客户；备注仅内部可见）",
    ),
    ("inbox.reply", "发送回复"),
    ("inbox.add_note", "添加内部备注"),
    ("inbox.resolve", "标记已解决"),
    ("inbox.text_needed", "请输入 1 到 4096 个字符。"),
    ("inbox.done_replied", "回复已发送给客户。"),
    ("inbox.done_noted", "备注已添加。"),
    ("inbox.done_resolved", "工单已解决，已邀请客户评分。"),
    ("ticket.open", "待处理"),
    ("ticket.pending", "等待中"),
    ("ticket.resolved", "已解决"),
    ("ticket.closed", "已关闭"),
    ("customers.title", "客户"),
    ("customers.search", "姓名、@用户名、客户 ID 或 Telegram ID"),
    ("customers.none", "没有符合条件的客户。"),
    ("customers.name", "姓名"),
    ("customers.username", "用户名"),
    ("customers.language", "语言"),
    ("customers.source", "首次来源"),
    ("customers.first_seen", "首次出现"),
    ("customers.last_seen", "最近出现"),
    ("customers.stage", "生命周期阶段"),
    ("customers.orders_paid", "已付款订单"),
    ("customers.ltv", "累计消费"),
    ("customers.marketing", "营销许可"),
    ("customers.tags", "标签"),
    ("customers.notes", "备注"),
    ("customers.tickets", "工单"),
    ("customers.consent", "授权记录"),
    ("customers.granted", "已同意"),
    ("customers.withdrawn", "已撤回"),
    ("customers.erased", "个人数据已删除于"),
    ("audit.title", "审计日志"),
    ("audit.when", "时间"),
    ("audit.actor", "操作人"),
    ("audit.action", "操作"),
    ("audit.target", "对象"),
    ("audit.details", "详情"),
    ("users.title", "控制台用户"),
    ("users.display_name", "显示名称"),
    ("users.role", "角色"),
    ("users.state", "状态"),
    ("users.created", "创建时间"),
    ("users.active", "正常"),
    ("users.disabled", "已停用"),
    ("users.disable", "停用"),
    ("users.enable", "启用"),
    ("users.add", "添加用户"),
    ("users.custom", "自定义权限（角色选择“自定义”）"),
    (
        "users.password_help",
        "至少 10 个字符。留空则自动生成，仅显示一次。",
    ),
    ("users.added", "已添加"),
    ("users.generated", "密码（仅显示一次）"),
    ("users.bad_role", "请选择角色。"),
    ("users.done_disabled", "用户已停用，其登录会话已结束。"),
    ("users.done_enabled", "用户已启用。"),
    ("role.owner", "所有者"),
    ("role.admin", "管理员"),
    ("role.agent", "客服"),
    ("role.analyst", "分析师"),
    ("role.custom", "自定义"),
    ("nav.catalog", "商品"),
    ("nav.segments", "客户分群"),
    ("nav.broadcasts", "群发"),
    ("segments.title", "客户分群"),
    ("segments.none", "还没有保存的分群。"),
    ("segments.name", "名称"),
    ("segments.rule", "规则"),
    ("segments.count", "当前客户数"),
    ("segments.reachable", "可营销触达"),
    ("segments.updated", "更新时间"),
    ("segments.deleted", "分群已删除。"),
    ("segments.new", "新建分群"),
    ("segments.edit", "编辑分群"),
    ("segments.try_rule", "试写规则"),
    ("segments.help_title", "规则写法"),
    ("segments.help_intro", "比较客户资料字段，用 and、or、not 和括号组合（and 优先于 or）。关键字不区分大小写；文本比较不区分大小写。"),
    ("segments.help_text", "文本（如 language = es、country in (ID, MY)、time_zone = \"Asia/Jakarta\"）"),
    ("segments.help_tag", "tag = vip：有此标签；tag != vip：没有此标签"),
    ("segments.help_number", "数字（累计已付款订单数、RFM 分 0-5、距上次下单、最近和首次访问的天数）"),
    ("segments.help_ops", "运算符：=、!=、<、<=、>、>=、in (…)、not in (…)。值可以是单词、数字或\"带引号的文本\"。客户没有的值，除 != 和 not in 外所有比较都为假。空规则匹配所有客户。"),
    ("segments.help_examples", "示例"),
    ("segments.rule_error", "规则无法解析，出错的字符位置"),
    ("segments.country", "国家"),
    ("segments.preview_title", "预览（未保存）"),
    ("segments.save", "保存"),
    ("segments.saved", "分群已保存。"),
    ("segments.delete", "删除此分群"),
    ("segments.empty_rule", "空规则匹配所有客户。群发只会发给同意接收营销信息且未屏蔽机器人的客户。"),
    ("segments.preview", "预览人数"),
    ("segments.broadcast", "向此分群发送群发 →"),
    ("broadcasts.title", "群发"),
    ("broadcasts.none", "还没有群发。"),
    ("broadcasts.new", "撰写群发"),
    ("broadcasts.name", "名称"),
    ("broadcasts.created", "创建时间"),
    ("broadcasts.delivered_of", "已送达 / 收件人"),
    ("broadcasts.bot", "发送的机器人"),
    ("broadcasts.default_language", "默认语言"),
    ("broadcasts.choose_segment", "— 选择已保存的分群 —"),
    ("broadcasts.audience", "受众"),
    ("broadcasts.saved_segment", "已保存的分群"),
    ("broadcasts.a_rule", "规则"),
    ("broadcasts.consent_note", "只有同意接收营销信息且未屏蔽机器人的客户会收到。"),
    ("broadcasts.rule_help", "可在客户分群页面编写并预览规则。"),
    ("broadcasts.message", "消息内容"),
    ("broadcasts.texts_help", "每种语言一段文本；客户收到自己语言的版本，否则收到机器人默认语言的版本（必填）。{name} 会替换为客户的名字。填写变体 B（最多到 D）即可做 A/B 测试：收件人随机分配。"),
    ("broadcasts.variant", "变体"),
    ("broadcasts.ab_optional", "可选，用于 A/B 测试"),
    ("broadcasts.required", "必填"),
    ("broadcasts.buttons", "链接按钮（可选）"),
    ("broadcasts.buttons_help", "每行一排按钮：文字 | https://链接；同一排多个按钮用 || 分隔。最多 8 排，每排 4 个。"),
    ("broadcasts.when", "发送时间"),
    ("broadcasts.now", "立即"),
    ("broadcasts.at_utc", "指定 UTC 时间"),
    ("broadcasts.at_local", "按每位收件人时区的当地时间"),
    ("broadcasts.holdout", "对照组（不发送的比例 %，0-50）"),
    ("broadcasts.holdout_short", "对照组"),
    ("broadcasts.attribution", "归因窗口（小时，1-720）"),
    ("broadcasts.schedule", "安排发送"),
    ("broadcasts.done_planned", "群发已安排。"),
    ("broadcasts.done_paused", "群发已暂停。"),
    ("broadcasts.done_resumed", "群发已恢复。"),
    ("broadcasts.done_cancelled", "群发已取消，待发送的消息已撤回。"),
    ("broadcasts.eta", "预计剩余时间"),
    ("broadcasts.results", "各变体结果"),
    ("broadcasts.recipients", "收件人"),
    ("broadcasts.blocked", "已屏蔽"),
    ("broadcasts.clicked", "已点击"),
    ("broadcasts.buyers", "购买人数"),
    ("broadcasts.refresh", "刷新"),
    ("broadcasts.pause", "暂停"),
    ("broadcasts.resume", "恢复"),
    ("broadcasts.cancel", "取消群发"),
    ("broadcast.sending", "发送中"),
    ("broadcast.paused", "已暂停"),
    ("broadcast.done", "已完成"),
    ("broadcast.cancelled", "已取消"),
    ("recipient.planned", "已计划"),
    ("recipient.waiting", "等待发送"),
    ("recipient.delivered", "已送达"),
    ("recipient.failed", "失败"),
    ("recipient.skipped", "已跳过"),
    ("recipient.held_out", "对照组"),
    ("recipient.cancelled", "已取消"),
    ("catalog.title", "商品"),
    ("catalog.none", "没有商品。"),
    ("catalog.product", "商品"),
    ("catalog.variants", "规格（选项 · 价格 · 库存）"),
    ("catalog.stock", "库存"),
    ("catalog.more", "更多 →"),
    ("catalog.price", "价格"),
    ("catalog.delta", "变动（+ 增加，− 减少）"),
    ("catalog.reason", "原因"),
    ("catalog.adjust", "调整库存"),
    ("catalog.movements", "最近库存变动"),
    ("catalog.handle", "标识"),
    ("catalog.fulfilment", "交付方式"),
    ("catalog.category", "分类"),
    ("catalog.set_status", "修改状态"),
    ("catalog.status_help", "上架的商品可售；草稿和已归档商品对客户隐藏（归档可保留完整的订单记录）。"),
    ("catalog.done_stock", "库存已调整。"),
    ("catalog.done_status", "状态已修改。"),
    ("catalog.delta_number", "变动必须是整数，例如 5 或 -2。"),
    ("catalog.below_zero", "库存不足：调整后库存将小于零。"),
    ("product.active", "上架"),
    ("product.draft", "草稿"),
    ("product.archived", "已归档"),
    ("fulfilment.physical", "实物"),
    ("fulfilment.digital", "数字商品"),
    ("error.back", "返回概览"),
    ("error.forbidden.title", "无权访问"),
    (
        "error.forbidden.text",
        "您的角色无权访问此页面。如有需要，请联系所有者或管理员。",
    ),
    ("error.not_found.title", "未找到"),
    ("error.not_found.text", "此地址没有内容。"),
    ("error.csrf.title", "表单已过期"),
    (
        "error.csrf.text",
        "此表单不是从您当前的会话提交的。请返回、刷新页面后重试。",
    ),
    ("error.bad_request.title", "无法执行"),
    (
        "error.bad_request.text",
        "请求无法读取，或在当前状态下不允许。",
    ),
    ("error.internal.title", "出错了"),
    ("error.internal.text", "我们这边出了点问题，请稍后再试。"),
    ("nav.analytics", "数据分析"),
    ("an.title", "数据分析"),
    ("an.from", "开始日期"),
    ("an.to", "结束日期"),
    ("an.chat", "群组 ID"),
    ("an.source", "来源"),
    ("an.language", "语言"),
    ("an.country", "国家/地区"),
    ("an.bucket", "时间粒度"),
    ("an.bucket.day", "按天"),
    ("an.bucket.week", "按周"),
    ("an.bucket.month", "按月"),
    ("an.show", "查看"),
    ("an.csv", "下载 CSV"),
    ("an.no_data", "该时段暂无数据。"),
    ("an.funnel", "转化漏斗"),
    ("an.step", "步骤"),
    ("an.people", "人数"),
    ("an.from_previous", "较上一步"),
    ("an.from_first", "较第一步"),
    ("an.drop_off", "流失"),
    ("an.step.joined", "加入群组"),
    ("an.step.started_bot", "启动机器人"),
    ("an.step.viewed_product", "浏览商品"),
    ("an.step.added_to_cart", "加入购物车"),
    ("an.step.checkout", "发起结算"),
    ("an.step.paid", "完成支付"),
    ("an.growth", "增长"),
    ("an.joins", "加入"),
    ("an.leaves", "退出"),
    ("an.net", "净增成员"),
    ("an.new_customers", "新客户"),
    ("an.all_sources", "全部来源"),
    ("an.direct", "（直接）"),
    ("an.invite_links", "邀请链接：加入 → 首单"),
    ("an.converted", "下单"),
    ("an.rate", "转化率"),
    ("an.retention", "留存"),
    ("an.day_7", "7 日留存"),
    ("an.day_30", "30 日留存"),
    ("an.cohorts", "每周同期群：各周活跃占比"),
    ("an.cohorts_note", "每行是首次出现的一周（周一，UTC）及其人数，之后各列是此后每周仍活跃的比例。"),
    ("an.commerce", "销售"),
    ("an.currency", "币种"),
    ("an.orders", "订单"),
    ("an.gmv", "成交额"),
    ("an.aov", "客单价"),
    ("an.repeat_rate", "复购率"),
    ("an.days_between", "下单间隔中位天数"),
    ("an.refund_rate", "退款率"),
    ("an.coupon_roi", "优惠券：每单位优惠带来的收入"),
    ("an.promotion", "活动"),
    ("an.code", "券码"),
    ("an.revenue", "收入"),
    ("an.discount", "优惠金额"),
    ("an.roi", "投入产出比"),
    ("an.engagement", "活跃度"),
    ("an.active", "活跃客户"),
    ("an.messages", "消息数"),
    ("an.mean_dau", "日活（平均）"),
    ("an.mau", "近 30 天活跃"),
    ("an.stickiness", "粘性（日活/月活）"),
    ("an.faq_deflection", "FAQ 自助解决率"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(table: &'static [(&'static str, &'static str)]) -> BTreeSet<&'static str> {
        let keys: BTreeSet<_> = table.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.len(), table.len(), "a key is listed twice");
        keys
    }

    #[test]
    fn every_key_the_pages_name_exists() {
        let sources = [
            include_str!("analytics.rs"),
            include_str!("auth.rs"),
            include_str!("audit.rs"),
            include_str!("broadcasts.rs"),
            include_str!("catalog.rs"),
            include_str!("segments.rs"),
            include_str!("customers.rs"),
            include_str!("dashboard.rs"),
            include_str!("html.rs"),
            include_str!("inbox.rs"),
            include_str!("orders.rs"),
            include_str!("users.rs"),
            include_str!("mod.rs"),
        ];
        let mut checked = 0;
        for source in sources {
            for piece in source
                .split("t(lang, \"")
                .skip(1)
                .chain(source.split("i18n::t(lang, \"").skip(1))
            {
                let key = piece.split('"').next().unwrap_or("");
                assert!(lookup(EN, key).is_some(), "missing key {key}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn both_languages_have_the_same_keys() {
        let (en, zh) = (keys(EN), keys(ZH));
        let only_en: Vec<_> = en.difference(&zh).collect();
        let only_zh: Vec<_> = zh.difference(&en).collect();
        assert!(only_en.is_empty(), "missing in Chinese: {only_en:?}");
        assert!(only_zh.is_empty(), "missing in English: {only_zh:?}");
        assert!(ZH.iter().all(|(_, v)| !v.is_empty()) && EN.iter().all(|(_, v)| !v.is_empty()));
    }

    #[test]
    fn the_keys_built_at_run_time_exist() {
        let mut dynamic = Vec::new();
        for s in [
            "pending_payment",
            "paid",
            "shipped",
            "delivered",
            "completed",
            "cancelled",
            "refunded",
        ] {
            dynamic.push(format!("status.{s}"));
        }
        for s in ["open", "pending", "resolved", "closed"] {
            dynamic.push(format!("ticket.{s}"));
        }
        for b in ["day", "week", "month"] {
            dynamic.push(format!("an.bucket.{b}"));
        }
        for step in groupcart_core::analytics::FunnelStep::ALL {
            dynamic.push(format!("an.step.{}", step.as_str()));
        }
        for r in ["owner", "admin", "agent", "analyst", "custom"] {
            dynamic.push(format!("role.{r}"));
        }
        for e in ["forbidden", "not_found", "csrf", "bad_request", "internal"] {
            dynamic.push(format!("error.{e}.title"));
            dynamic.push(format!("error.{e}.text"));
        }
        for d in ["replied", "noted", "resolved"] {
            dynamic.push(format!("inbox.done_{d}"));
        }
        for d in ["disabled", "enabled"] {
            dynamic.push(format!("users.done_{d}"));
        }
        for s in ["sending", "paused", "done", "cancelled"] {
            dynamic.push(format!("broadcast.{s}"));
        }
        for s in [
            "planned",
            "waiting",
            "delivered",
            "failed",
            "skipped",
            "held_out",
            "cancelled",
        ] {
            dynamic.push(format!("recipient.{s}"));
        }
        for s in ["active", "draft", "archived"] {
            dynamic.push(format!("product.{s}"));
        }
        for f in ["physical", "digital"] {
            dynamic.push(format!("fulfilment.{f}"));
        }
        for c in ["pause", "resume", "cancel"] {
            dynamic.push(format!("broadcasts.{c}"));
        }
        for key in dynamic {
            assert!(
                lookup(EN, &key).is_some() && lookup(ZH, &key).is_some(),
                "{key}"
            );
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Lang::Zh
        );
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr,zh-TW;q=0.5"), Lang::Zh);
        assert_eq!(Lang::from_accept_language(""), Lang::En);
        assert_eq!(t(Lang::Zh, "nav.orders"), "订单");
        assert_eq!(t(Lang::Zh, "no.such.key"), "?");
    }
}

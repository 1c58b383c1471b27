# groupcart 机器人面向顾客的文案,简体中文。

language-name = 简体中文

choose-language = 您希望使用哪种语言？
language-set = 好的，我将用简体中文与您交流。

privacy-notice =
    { $name }，您好，欢迎！

    开始之前，先说明一下您的数据。为了给您提供服务，我们会保存您的 Telegram 名字、用户名和语言、您的订单，以及您发给本机器人的消息。我们绝不出售您的数据。您可以随时通过 /privacy 查看、导出或删除这些数据。

    请选择我们可以向您发送的内容：
    • 服务消息：订单、支付和物流通知，以及对您问题的回复。
    • 新闻与优惠：优惠券、新品和促销活动。您可以随时关闭。

    （隐私政策版本 { $version }）
consent-accept-all = ✅ 服务消息和优惠信息
consent-accept-service = ✅ 仅服务消息
consent-decline = ✖ 暂时都不要
consent-saved-all = 谢谢！您将收到服务消息以及我们的新闻和优惠。可随时通过 /privacy 修改。
consent-saved-service = 谢谢！您将只收到服务消息，不会收到优惠信息。可随时通过 /privacy 修改。
consent-saved-none = 明白了：我们不会主动给您发消息。您仍然可以在这里联系我们，并可随时通过 /privacy 修改。

welcome-back = 欢迎回来，{ $name }！发送 /help 查看我能做什么。
help =
    我可以为您做这些：
    /start：重新开始
    /language：更换语言
    /privacy：您的数据与选择
    /help：显示此列表
not-understood = 抱歉，我没有理解。发送 /help 查看我能做什么。
unknown-command = 我不认识这个命令。发送 /help 查看我能做什么。
button-expired = 此按钮已失效。
something-went-wrong = 抱歉，我们这边出了点问题，请稍后再试。

cmd-start = 重新开始
cmd-help = 机器人功能
cmd-language = 更换语言
cmd-privacy = 您的数据与选择


## 商店

cmd-shop = 浏览商店
cmd-cart = 购物车
cmd-orders = 我的订单
shop-empty = 商店暂时没有在售商品，请稍后再来！
shop-choose-category = 您想找什么？
shop-category-products = { $category }：第 { $page } / { $pages } 页
shop-all-products = 全部商品：第 { $page } / { $pages } 页
shop-previous = « 上一页
shop-next = 下一页 »
shop-back = ↩ 分类
shop-view-cart = 🛒 购物车（{ $count }）
shop-product-price = 价格：{ $price }
shop-product-was = （原价 { $price }）
shop-in-stock = 有货
shop-few-left = 仅剩 { $count } 件
shop-sold-out = 已售罄
shop-variant-sold-out = { $variant }（已售罄）
shop-not-available = 该商品已下架。
shop-added = 已加入购物车：{ $item }
shop-no-more-stock = 抱歉，{ $item } 库存不足。
cart-empty = 您的购物车是空的。发送 /shop 浏览商品。
cart-title = 您的购物车：
cart-line = { $quantity } × { $item }：{ $total }
cart-total = 合计：{ $total }
cart-checkout = ✅ 去结算
cart-remove = ✕
checkout-problems = 部分商品在您加入购物车后发生了变化，因此我们没有创建订单：
checkout-unavailable = • { $item } 已无法购买
checkout-short = • { $item }：仅剩 { $available } 件（您选择了 { $quantity } 件）
checkout-fix = 请调整购物车后重新结算。
checkout-created = 订单 #{ $order } 已为您保留 { $minutes } 分钟，请通过下方账单付款。
invoice-title = 订单 #{ $order }
invoice-description = 共 { $count } 件商品
invoice-total = 合计
invoice-shipping = 运费
precheckout-expired = 该订单已过期，请重新下单。
precheckout-mismatch = 该账单与您的订单不符，请重新下单。
order-paid = 谢谢！我们已收到订单 #{ $order } 的付款 { $total }。发货后会通知您。
order-paid-late = 我们已收到订单 #{ $order } 的付款，但该订单已过期。我们的团队会尽快为您退款或与您联系。
order-shipped = 好消息：订单 #{ $order } 已由 { $carrier } 发出。运单号：{ $tracking }
order-delivered = 订单 #{ $order } 已送达。祝您使用愉快，感谢惠顾！
order-cancelled = 订单 #{ $order } 已取消。
order-expired = 订单 #{ $order } 因未按时付款已过期，商品已恢复库存。发送 /shop 重新下单。
order-refunded = 订单 #{ $order } 已退款。
orders-none = 您还没有订单。发送 /shop 浏览商品。
orders-title = 您最近的订单：
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = 待付款
order-status-paid = 已付款
order-status-shipped = 已发货
order-status-delivered = 已送达
order-status-completed = 已完成
order-status-cancelled = 已取消
order-status-refunded = 已退款
order-details = 订单 #{ $order }：{ $status }
order-timeline-line = { $date }：{ $status }
order-tracking = 由 { $carrier } 发货，运单号 { $tracking }

## 员工群（使用机器人的默认语言）

staff-new-order = 🛒 新的已付款订单 #{ $order }：{ $total }，来自 { $customer }
staff-ship-to = 收货地址：{ $address }
staff-button-ship = 🚚 发货
staff-button-cancel = ✖ 取消
staff-ship-hint = 发送 /ship { $order } 快递公司 运单号
staff-shipped = 订单 #{ $order } 已标记为已发货，顾客已收到运单号。
staff-delivered = 订单 #{ $order } 已标记为已送达。
staff-cancelled = 订单 #{ $order } 已取消，库存已恢复。如已付款请退款。
staff-no-order = 没有订单 #{ $order }。
staff-refused = 订单 #{ $order } 未变更：{ $reason }
staff-usage = 用法：/ship 订单号 快递公司 运单号、/delivered 订单号、/cancel 订单号 或 /paid 订单号。
staff-stuck-parcel = ⚠️ 订单 #{ $order } 已由 { $carrier }（{ $tracking }）发出，但已有 { $days } 天没有更新，请核查包裹。
shop-pay-manually = 🏦 银行转账或货到付款
checkout-manual-offer = 想用其他方式付款吗？
order-manual-chosen = 订单 #{ $order }（{ $total }）将为您保留 { $days } 天。收到您的付款后我们会立即确认。
staff-manual-order = 🏦 订单 #{ $order }：{ $total }，来自 { $customer }，将线下付款。收到款项后请确认。
staff-button-confirm = ✅ 已收款
staff-payment-confirmed = 订单 #{ $order } 的付款已确认，已通知顾客。

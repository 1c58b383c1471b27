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
    /shop：浏览商店
    /cart：购物车
    /orders：我的订单
    /coupons：我的优惠券
    /invite：邀请好友，赢取奖励
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
shop-also-like = 你可能还会喜欢：
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
checkout-price-changed = • { $item }：价格已变为 { $now }（原为 { $was }）。再次结账即表示接受新价格。
checkout-fix = 请调整购物车后重新结算。
checkout-created = 订单 #{ $order } 已为您保留 { $minutes } 分钟，请通过下方账单付款。
invoice-title = 订单 #{ $order }
invoice-description = 共 { $count } 件商品
invoice-total = 合计
invoice-shipping = 运费
precheckout-expired = 该订单已过期，请重新下单。
precheckout-mismatch = 该账单与您的订单不符，请重新下单。
precheckout-shipping-changed = 该配送方式已不可用，请选择其他方式。
shipping-not-available = 抱歉，我们暂不配送到 { $country }。
order-paid = 谢谢！我们已收到订单 #{ $order } 的付款 { $total }。发货后会通知您。
order-paid-late = 我们已收到订单 #{ $order } 的付款，但该订单已过期。我们的团队会尽快为您退款或与您联系。
order-shipped = 好消息：订单 #{ $order } 已由 { $carrier } 发出。运单号：{ $tracking }
order-delivered = 订单 #{ $order } 已送达。祝您使用愉快，感谢惠顾！
order-cancelled = 订单 #{ $order } 已取消。
order-expired = 订单 #{ $order } 因未按时付款已过期，商品已恢复库存。发送 /shop 重新下单。
order-refunded = 订单 #{ $order } 已退款。
orders-none = 您还没有订单。发送 /shop 浏览商品。
order-lookup-unknown = 在您的订单中找不到订单 #{ $order }。发送 /orders 查看您的订单。
order-words = 订单, 快递, 包裹, 物流, 单号, 发货, 到哪
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

## Coupons

cmd-coupons = 我的优惠券
coupon-usage = 使用优惠码：发送 /coupon 加上优惠码，例如：/coupon WELCOME10
coupon-current = 您的购物车已使用优惠码 { $code }。发送 /coupon off 可取消。
coupon-removed = 已从购物车取消优惠码。
coupon-saved = 优惠码 { $code } 已保存，结账时自动抵扣。
coupon-applied = 优惠码 { $code } 已用于您的购物车：优惠 { $saving }。
coupon-unknown = 抱歉，优惠码 { $code } 不存在，请检查后重试。
coupon-not-started = 优惠码 { $code } 自 { $date } 起可用。
coupon-expired = 抱歉，优惠码 { $code } 已过期。
coupon-not-for-you = 抱歉，您的账户不能使用优惠码 { $code }。
coupon-currency = 优惠码 { $code } 不适用于本店的币种。
coupon-used-up = 抱歉，优惠码 { $code } 已被领完。
coupon-customer-limit = 您使用优惠码 { $code } 的次数已达上限。
coupon-nothing-eligible = 优惠码 { $code } 不适用于您购物车中的商品。
coupon-minimum-spend = 再购买 { $missing } 的适用商品即可使用优惠码 { $code }。
coupon-minimum-quantity = 再加 { $missing } 件适用商品即可使用优惠码 { $code }。
checkout-promotion-ended = • 优惠活动（{ $code }）刚刚结束。请查看新的总价后重新结账。
invoice-discount = 优惠
cart-discount = 🏷 { $name }：{ $amount }
coupons-title = 您的优惠券：
coupons-none = 您目前没有优惠券。请关注我们的频道，获取最新优惠！
coupons-line = 🎟 { $code }：{ $name }，{ $benefit }
coupons-automatic = 🏷 { $name }：{ $benefit }（自动抵扣）
coupons-min-spend = ，满 { $amount } 可用
coupons-until = ，有效期至 { $date }
benefit-percent = 立减 { $percent }%
benefit-fixed = 立减 { $amount }
benefit-free-shipping = 免运费
benefit-buy-get-free = 买 { $buy } 送 { $get }
benefit-buy-get-off = 买 { $buy } 件，另 { $get } 件享 { $percent }% 折扣

## Community

join-check-button = { $name }，您好！如需加入 { $chat }，请在 4 分钟内点击下方按钮。
join-check-button-label = ✅ 我不是机器人
join-check-question = { $name }，您好！如需加入 { $chat }，请在 4 分钟内回答以下问题：
join-check-done = 谢谢，我们已收到您关于 { $chat } 的回答。
join-check-closed = 该入群申请已结束。
join-approved = 欢迎加入 { $chat }！🎉
join-coupon = 送您一份见面礼：{ $benefit }，优惠码 { $code }。已自动放入您的购物车，发送 /shop 即可使用。
join-declined = 抱歉，答案不正确，暂时无法让您加入 { $chat }。您可以重新申请加入。
join-timed-out = 加入 { $chat } 的验证已超时。您可以随时重新申请。
join-review = 您好 { $name }！您加入 { $chat } 的申请将由我们的团队审核，请等待结果。
join-declined-staff = 抱歉，您加入 { $chat } 的申请未获批准。
join-review-staff = 🙋 { $person } 申请加入 { $chat }。
join-review-staff-member = 🙋 { $person } 已加入 { $chat }，在您决定之前无法发言。
join-review-approve = ✅ 批准
join-review-decline = ❌ 拒绝
join-review-approved = ✅ { $person }（{ $chat }）：已由 { $staff } 批准。
join-review-declined = ❌ { $person }（{ $chat }）：已由 { $staff } 拒绝。
join-review-decided = 此申请已处理。
group-check-button = 欢迎 { $name }！请在 { $minutes } 分钟内点击下方按钮，即可在本群发言。
group-check-question = 欢迎 { $name }！请在 { $minutes } 分钟内回答，即可在本群发言：
group-check-not-yours = 这个验证不是给您的。
group-check-closed = 此验证已结束。

## Flash sales
flash-sale-title = ⚡ 限时秒杀：{ $product }
flash-sale-price = 秒杀价：{ $price }
flash-sale-price-was = 秒杀价：{ $price }（原价 { $was }）
flash-sale-limit = 每人限购 { $count } 件
flash-sale-line-upcoming = ⏰ { $start } 开抢 · 仅 { $units } 件
flash-sale-line-running = 🔥 抢购中：剩余 { $left }/{ $units } 件 · { $end } 结束
flash-sale-line-sold-out = 🚫 已抢光
flash-sale-line-ended = ⌛ 本场秒杀已结束。
flash-sale-line-cancelled = 本场秒杀已取消。
flash-sale-remind-button = 🔔 开抢提醒我
flash-sale-early-access = ⭐ 会员抢先购：您的会员等级可以现在购买，早于所有人开抢。
flash-sale-open-button = 🛒 去机器人里抢购
flash-sale-buy-button = 🛒 立即抢购 · { $price }
flash-sale-started = ⚡ 您关注的限时秒杀开始啦！
flash-sale-reminder-set = 🔔 设置成功！开抢时我们会通知您。
flash-sale-reminder-already = 您已设置过提醒，开抢时我们会通知您。
flash-sale-start-bot = 请先启动机器人，以便我们给您发消息，然后再点一次“开抢提醒我”。
flash-sale-on-now = 秒杀正在进行：请在机器人里点“立即抢购”。
flash-sale-unknown = 抱歉，该秒杀活动不存在。
flash-sale-cancelled = 抱歉，本场秒杀已取消。
flash-sale-not-started = ⏰ 还没开始！{ $start } 开抢。
flash-sale-ended = ⌛ 抱歉，本场秒杀已结束。
flash-sale-sold-out = 😔 已抢光！未付款订单的名额会在 { $minutes } 分钟后释放，稍后可以再试试。
flash-sale-limit-reached = 您已抢到 { $count } 件，已达每人限购数量。
flash-sale-got-it = 🎉 抢到啦！请在 { $minutes } 分钟内支付账单，否则名额将被释放。

## Giveaways

giveaway-announcement =
    🎁 抽奖：{ $prize }
    共 { $winners } 名中奖者，将于 { $ends } 开奖。点击下方按钮参与！
    公平开奖：我们的秘密种子的 SHA-256 为 { $commitment }，开奖时公布种子。
giveaway-join = 🎁 参与抽奖
giveaway-entered = 参与成功！您的抽奖号码是 #{ $number }。请先和我私聊，方便通知您是否中奖。
giveaway-already-in = 您已参与，号码是 #{ $number }。
giveaway-closed = 本次抽奖已结束。
giveaway-won = 🎉 恭喜您中奖：{ $prize }！
giveaway-prize-code = 您的奖品码是 { $code }，已放入您的购物车。
giveaway-no-entries = 无人参与
giveaway-result =
    🎁 抽奖结果：{ $prize }
    中奖者：{ $winners }
    参与人数：{ $entries }
    种子：{ $seed }（其 SHA-256 为 { $commitment }，与公告一致）。号码 n 的值为 SHA-256("种子:n")，值最小者中奖。
giveaway-requires = 开奖时须为 { $chats } 的成员才能中奖。
giveaway-skipped = 因开奖时未加入指定群组/频道而跳过：{ $entries }

## Referrals
cmd-invite = 邀请好友
invite =
    🎁 邀请好友，赢取奖励！
    你的专属链接：{ $link }

    启动：{ $starts } · 新顾客：{ $joins } · 首单：{ $orders } · 奖励：{ $rewards }

    新好友支付首单后，你将获得奖励。
invite-share = 📤 分享
invite-share-text = 来这里和我一起购物吧！
referral-self = 这是你自己的邀请链接：分享给好友即可赢取奖励。
referral-welcome = 🎁 欢迎！你的好友邀请了你。欢迎优惠码 { $code } 已放入你的购物车。
referral-rewarded = 🎉 你邀请的好友刚刚支付了首单。你的奖励优惠码：{ $code }

## Group-buys
group-buy-offer =
    👥 拼团：{ $product }
    { $size } 人成团，每人仅需 { $price }（原价 { $was }）。
    开团后 { $hours } 小时内未成团，全额退款。
group-buy-open-button = 👥 发起拼团 · { $price }
group-buy-team = 👥 拼团：{ $product }，拼团价 { $price }（原价 { $was }）
group-buy-progress = 已参团 { $members }/{ $size } · 已支付 { $paid } · 剩余 { $hours } 小时
group-buy-line-full = ✅ 拼团成功：{ $size } 个订单全部生效。
group-buy-line-failed = ⌛ 拼团已结束：未在规定时间内凑齐人数。
group-buy-join-button = 👥 参与拼团
group-buy-join-price-button = 👥 参团 · { $price }
group-buy-share-button = 📤 邀请好友
group-buy-share-text = 来参加我的拼团，一起享受拼团价！
group-buy-unknown = 抱歉，该拼团不存在。
group-buy-offer-ended = 抱歉，该拼团活动已结束。
group-buy-no-stock = 😔 库存不足，无法开新团。可以参加进行中的团，或稍后再试。
group-buy-team-closed = 抱歉，该团已结束。
group-buy-no-place = 抱歉，该团名额已满。你可以自己发起一个拼团！
group-buy-already-member = 你已经在这个团里了。
group-buy-placed = 👥 名额已为你保留：请在 { $minutes } 分钟内完成支付。
group-buy-complete = 🎉 拼团成功！订单 { $order } 将按拼团价发货。
group-buy-failed = ⌛ 你的拼团未能按时成团。订单 { $order } 已关闭，已付款项将退还。
group-buy-offer-reserve =
    👥 拼团：{ $product }
    { $size } 人成团，每人仅需 { $price }（原价 { $was }）。
    现在预留名额，成团后再付款；开团后 { $hours } 小时内需凑齐人数。
group-buy-reserved = 👥 已为你预留名额，成团后我们会发送付款单。
group-buy-complete-pay = 🎉 拼团成功！请在 { $minutes } 分钟内为订单 { $order } 支付 { $price }，以保留你的名额。
group-buy-full-price = ⌛ 你的拼团未能按时成团。订单 { $order } 仍可按原价 { $price } 购买：请在 { $minutes } 分钟内付款，否则将自动取消。

## Moderation
moderation-rule-words = 包含本群不允许的词语
moderation-rule-links = 本群不允许发布外部链接
moderation-rule-flood = 发言过于频繁
moderation-warned = ⚠️ { $name }，第 { $count }/{ $limit } 次警告：{ $reason }。
moderation-muted = 🔇 { $name } 已被禁言 { $hours } 小时：{ $reason }。
moderation-banned = ⛔ { $name } 已被移出本群：{ $reason }。
moderation-rule-forwards = 本群不允许转发其他频道的内容
moderation-rule-media = 本群不允许发送此类媒体
moderation-rule-bot_mentions = 本群不允许提及其他机器人
moderation-rule-staff = 管理员操作
moderation-muted-minutes = 🔇 { $name } 已被禁言 { $minutes } 分钟：{ $reason }。
moderation-unmuted = 🔊 { $name } 已解除禁言。
moderation-unbanned = ✅ { $name } 可以重新加入本群。
moderation-command-usage = 请回复一条消息并使用 /warn、/mute 30m（或 1h、1d）或 /ban，可附上原因；/unmute 和 /unban 也可接用户 ID。
appeal-usage = 请在命令后写下申诉内容，例如：/appeal 我只是分享了自己订单的物流链接。
appeal-nothing = 你在我们的群组中没有被禁言或封禁。
appeal-unavailable = 此处无法提交申诉，请联系群管理员。
appeal-sent = 你关于 { $chat } 的申诉已提交给团队，结果会在这里通知你。
appeal-staff = 📨 { $name }（ID { $user }）在 { $chat } 的申诉（{ $reason }）：{ $text }
appeal-button-lift = ✅ 解除
appeal-button-keep = ❌ 维持
appeal-reason = 申诉通过
appeal-decided = 此申诉已处理。
appeal-lifted-staff = ✅ { $name }（ID { $user }）在 { $chat } 的申诉：已由 { $staff } 解除。
appeal-kept-staff = ❌ { $name }（ID { $user }）在 { $chat } 的申诉：{ $staff } 决定维持。
appeal-lifted = 你关于 { $chat } 的申诉已通过，限制已解除。
appeal-kept = 你关于 { $chat } 的申诉已审核，限制维持不变。
raid-alert = 🚨 “{ $chat }”疑似遭遇批量加群：{ $seconds } 秒内 { $joins } 次加入。接下来 { $minutes } 分钟内，申请加入者将接受更严格的验证。
staff-chat-rights = ⚠️ 机器人在「{ $chat }」中缺少权限：{ $rights }。请在群组管理设置中修改。
right-admin = 设为管理员
right-invite = 允许邀请用户（邀请链接和入群申请）
right-delete = 允许删除消息（群管理）
right-restrict = 允许封禁用户（禁言和封禁）

## Settings
cmd-settings = 您的设置
settings-marketing-on = 资讯与优惠：已开启。您可以随时在这里关闭。
settings-marketing-off = 资讯与优惠：已关闭。订单和物流通知仍会照常发送。
settings-stop-marketing = 停止接收资讯与优惠
settings-allow-marketing = 接收资讯与优惠
marketing-stopped = 已完成：不再向您发送资讯与优惠。订单和物流通知仍会照常发送。
marketing-allowed = 已完成：您将收到我们的资讯与优惠。可随时通过 /settings 关闭。

## Privacy: what is stored, export and erasure
privacy-overview =
    我们保存的您的数据：
    • 您的 Telegram 名字、用户名和语言，用于与您沟通；
    • 您的订单、地址和付款，用于发货和记账；
    • 您发给本机器人的消息，用于回复您；
    • 您在下方的选择，作为您同意内容的凭证。
    我们绝不出售您的数据。

    您接受的隐私政策版本：{ $version }
    资讯与优惠：{ $marketing }
privacy-none = 尚未接受
privacy-on = 已开启
privacy-off = 已关闭
privacy-button-choices = 更改我的选择
privacy-button-export = 📦 导出我的数据
privacy-button-erase = 🗑 删除我的数据
privacy-erase-confirm =
    删除您的全部数据？您的资料、地址、消息和选择都将被删除，我们也不会再给您发消息。按照会计法规，订单会保留在账目中，但不再包含您的姓名。此操作无法撤销。
privacy-erase-yes = 是的，全部删除
privacy-erase-no = 不，保留
privacy-erased = 您的数据已删除。这是我们发给您的最后一条消息。再见！
privacy-kept = 没有删除任何内容。
privacy-export-preparing = 正在准备您的数据，文件将在几分钟内发送到这里。
privacy-export-caption = 您的数据：{ $orders } 个订单、{ $messages } 条消息、{ $events } 条活动记录、{ $consents } 条同意记录、{ $referrals } 条邀请记录、{ $tags } 个标签。附件以 JSON 格式包含全部内容。

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = 联系人工客服
faq-button-helpful = 👍 有帮助
faq-button-not-helpful = 👎 没帮助
faq-thanks = 谢谢你的反馈！
support-button-agent = 🙋 联系人工客服
support-did-you-mean = 我不太确定你的意思。你是想问下面这些问题吗？
support-offer-agent = 抱歉没能帮到你。需要联系人工客服吗？
support-no-agents = 抱歉，目前没有客服可以在这里回答问题。请试试 /help。
support-media-needs-ticket = 如需发送图片或文件，请先点 /agent，然后再发送。
support-ticket-opened = 我已把你的问题转给我们的团队（工单 #{ $ticket }）。客服会在这里直接回复你。你现在发送的其他内容也会转给他们。
support-ticket-continues = 我们的团队已在处理你的会话 #{ $ticket }，你发送的内容会转给他们。
support-outside-hours = 我们的团队现在不在线，将于 { $time }（{ $zone }）回来，届时会回复你。
support-resolved = 你的问题 #{ $ticket } 已标记为解决。你对我们的服务满意吗？
support-nps-question = 你有多大可能把我们推荐给朋友？（0 = 完全不会，10 = 非常可能）
support-rating-thanks = 谢谢你的评价！

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 工单 #{ $ticket } · { $topic } · 优先级 { $priority }
    客户：{ $name }（{ $username }），语言 { $language }
support-no-orders = 暂无订单。
support-agent-help = 在这里回复即可答复客户。以 // 开头（或 /note）的消息是内部备注。命令：/resolve、/close、/assign、/priority low|normal|high、/transfer 组名、/canned 名称、/tr 文本（翻译后发送）。
support-ticket-not-active = 工单 #{ $ticket } 已不再处理中：没有发送给客户。
support-resolved-by = ✅ 由 { $agent } 解决。已请客户评价服务。
support-closed-by = 由 { $agent } 关闭。
support-assigned = 已分配给 { $agent }。
support-priority-usage = 请使用 /priority low、/priority normal 或 /priority high。
support-priority-set = 优先级已设为 { $priority }，时限已重新计算。
support-transfer-usage = 请使用 /transfer 组名，可选：{ $groups }
support-transferred = ➡️ 已转给 { $group }。
support-history = 之前的对话（来自 { $group }）：
support-canned-unknown = 没有名为“{ $name }”的快捷回复。
support-unassigned = 暂无
support-target-first-response = 首次响应
support-target-resolution = 解决
support-sla-warning = ⏰ 工单 #{ $ticket }（{ $assignee }）：{ $target }时限还剩 { $minutes } 分钟。
support-sla-breach = 🚨 SLA 超时：{ $group } 的工单 #{ $ticket } 未达到{ $target }时限（负责人：{ $assignee }）。
support-translation-unavailable = 🌐（暂时无法翻译）
support-translation-off = 本组未启用翻译：请管理员配置翻译服务和本组的 translate_to 语言。
anomaly-header = 📉 本周与上周相比：
anomaly-chat-activity = { $chat }：活跃度下降 { $drop }%（{ $baseline } → { $current } 条更新）
anomaly-chat-joins = { $chat }：入群人数下降 { $drop }%（{ $baseline } → { $current }）
anomaly-paid-orders = 已付款订单下降 { $drop }%（{ $baseline } → { $current }）
anomaly-conversion = 转化率（每次开始对话的付款订单）下降 { $drop }%：{ $baseline } → { $current }
anomaly-failed-sends = 过去一天有 { $failed } 条消息发送失败（占发送量的 { $share }）。请检查机器人的权限和失败的消息。

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = { $days } 天未活跃
purge-reason-flagged = 有警告或禁言记录

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = 会员
tier-name-silver = 白银
tier-name-gold = 黄金
tier-name-black = 黑金
tier-up = 🎉 恭喜！您现在是{ $tier }会员。您的权益：
tier-down = 您的会员等级现在是{ $tier }。感谢您的支持。
tier-benefit-discount = 每笔订单享 { $percent }% 折扣
tier-benefit-free-shipping = 免运费
tier-benefit-early-access = 限时秒杀提前 { $minutes } 分钟抢购
join-declined-tier = 抱歉，{ $chat } 仅对{ $tier }及以上会员开放，暂时无法让您加入。继续购物即可升级到{ $tier }！
purge-reason-below-tier = 低于本群要求的会员等级超过 { $days } 天

# 积分（/checkin、/points、兑换奖励）
cmd-checkin = 每日签到领积分
cmd-points = 我的积分和奖励
points-checkin = ✅ 签到成功！+{ $points } 积分（连续第 { $streak } 天）。当前积分：{ $balance }。
points-checkin-already = 你今天已经签到过了（连续第 { $streak } 天），明天再来吧！当前积分：{ $balance }。
points-balance = ⭐ 你有 { $balance } 积分。购物和每天 /checkin 签到都能赚积分。
points-balance-rewards = ⭐ 你有 { $balance } 积分。点击奖励即可兑换：
points-reward-button = { $benefit }，{ $points } 积分
points-redeemed = 🎉 兑换成功！已用 { $points } 积分。优惠码 { $code } 已放入购物车，发送 /shop 使用。剩余积分：{ $balance }。
points-not-enough = 抱歉，这个奖励需要 { $needed } 积分，你目前有 { $balance } 积分。继续购物和签到吧！

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = 分享您的手机号码
settings-share-phone = 📱 分享我的手机号码
phone-ask = 点击下方按钮分享您的手机号码。如果您以前在我们这里购买过，我们会把以前的购买记录关联到这个账户。
phone-button = 📱 分享我的手机号码
phone-verified = 谢谢！您的手机号码已验证。
phone-not-yours = 这是别人的联系人。请用下方按钮分享您自己的号码。
phone-invalid = 抱歉，无法识别该手机号码。请再点一次按钮。
import-linked = 欢迎回来！您以前在我们这里的购买记录已关联到这个账户。
claim-unknown = 抱歉，此链接无效。请打开邮件中的完整链接。
claim-used = 此链接已被使用。如果您认为有误，请发送 /agent。
claim-already-yours = 此链接已关联到您的账户，无需其他操作！
cmd-birthday = 留下生日，领取惊喜
birthday-saved = 🎂 谢谢！已保存您的生日：{ $date }。发送 /birthday clear 可删除。
birthday-cleared = 您的生日已删除。
birthday-current = 您保存的生日是 { $date }。发送 /birthday 加新日期可修改，发送 /birthday clear 可删除。
birthday-usage = 告诉我们您的生日，我们会为您庆祝：发送 /birthday 加日和月，例如 /birthday 14.03
birthday-invalid = 抱歉，无法识别该日期。请发送日和月，例如 /birthday 14.03 或 /birthday 03-14。
automation-welcome-1 = { $name }，欢迎！点击 /shop 看看新品，需要帮助随时发送 /agent。
automation-welcome-2 = { $name }，找到喜欢的商品了吗？最新商品都在 /shop 等您。
automation-abandoned-cart = { $name }，您的购物车里还有商品，它们还在等您！
automation-cart-button = 🛒 查看购物车
automation-review-request = { $name }，订单 #{ $order } 您满意吗？直接回复这条消息告诉我们，每条回复我们都会看。
automation-birthday = 🎂 { $name }，生日快乐！感谢您一直以来的支持。
automation-win-back = { $name }，我们想您了！下次下单使用优惠码 { $code } 可享 { $percent }% 折扣，{ $days } 天内有效。
automation-win-back-plain = { $name }，我们想您了！来 /shop 看看新品吧。
automation-win-back-code = 您的优惠码：{ $code }
automation-restock = 好消息，{ $name }：{ $product } 已到货！
automation-restock-button = 查看商品
automation-notify-me = 🔔 到货提醒
automation-notify-saved = 到货后我们会通知您。
automation-notify-in-stock = 好消息：已经有货了，打开商品即可购买。

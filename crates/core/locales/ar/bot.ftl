# نصوص بوت groupcart الموجّهة إلى العملاء، باللغة العربية الفصحى.
# يجب أن توجد هنا كل رسالة من en/bot.ftl بالمتغيرات نفسها (يتحقق اختبار من ذلك).

language-name = العربية

choose-language = ما اللغة المفضّلة لديك؟
language-set = حسنًا، سأتحدث معك باللغة العربية.

privacy-notice =
    مرحبًا { $name }، أهلًا وسهلًا بك!

    قبل أن نبدأ، نودّ أن نوضّح كيف نتعامل مع بياناتك. لكي نخدمك نحتفظ باسمك واسم المستخدم واللغة في Telegram، وبطلباتك، وبالرسائل المُرسَلة منك إلى هذا البوت. لا نبيع بياناتك أبدًا. يمكنك الاطلاع عليها أو تصديرها أو حذفها في أي وقت عبر /privacy.

    يُرجى اختيار ما يمكننا إرساله إليك:
    • رسائل الخدمة: تحديثات الطلبات والدفع والشحن، والردود على أسئلتك.
    • الأخبار والعروض: القسائم والمنتجات الجديدة والتخفيضات. يمكنك إيقافها في أي وقت.

    (إصدار سياسة الخصوصية { $version })
consent-accept-all = ✅ رسائل الخدمة والعروض
consent-accept-service = ✅ رسائل الخدمة فقط
consent-decline = ✖ لا شيء حاليًا
consent-saved-all = شكرًا لك! ستصلك رسائل الخدمة إلى جانب أخبارنا وعروضنا. يمكنك تغيير ذلك في أي وقت عبر /privacy.
consent-saved-service = شكرًا لك! ستصلك رسائل الخدمة فقط، دون أي عروض. يمكنك تغيير ذلك في أي وقت عبر /privacy.
consent-saved-none = حسنًا، لن نراسلك من تلقاء أنفسنا. لا يزال بإمكانك التواصل معنا هنا، وتغيير ذلك في أي وقت عبر /privacy.

welcome-back = أهلًا بعودتك يا { $name }! يمكنك إرسال /help لمعرفة ما يمكنني فعله.
help =
    إليك ما يمكنني فعله:
    /shop: تصفّح المتجر
    /cart: سلتك
    /orders: طلباتك
    /coupons: قسائمك
    /invite: ادعُ أصدقاءك واحصل على مكافآت
    /start: البدء من جديد
    /language: تغيير اللغة
    /privacy: بياناتك وخياراتك
    /help: هذه القائمة
not-understood = عذرًا، لم أفهم ذلك. يمكنك إرسال /help لمعرفة ما يمكنني فعله.
unknown-command = لا أعرف هذا الأمر. يمكنك إرسال /help لمعرفة ما يمكنني فعله.
button-expired = هذا الزر لم يعد صالحًا.
something-went-wrong = عذرًا، حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى بعد قليل.

cmd-start = البدء من جديد
cmd-help = ما يستطيع هذا البوت فعله
cmd-language = تغيير اللغة
cmd-privacy = بياناتك وخياراتك

## المتجر

cmd-shop = تصفّح المتجر
cmd-cart = سلة التسوق
cmd-orders = طلباتك
shop-empty = لا توجد منتجات معروضة للبيع في المتجر حاليًا. نرجو زيارتنا مجددًا قريبًا!
shop-choose-category = ما الذي يهمّك؟
shop-category-products = { $category }: الصفحة { $page } من { $pages }
shop-all-products = جميع المنتجات: الصفحة { $page } من { $pages }
shop-previous = « السابق
shop-next = التالي »
shop-back = ↩ الأقسام
shop-view-cart = 🛒 السلة ({ $count })
shop-product-price = السعر: { $price }
shop-product-was = (بدلًا من { $price })
shop-in-stock = متوفر
shop-also-like = قد يعجبك أيضًا:
shop-few-left = الكمية المتبقية: { $count } فقط
shop-sold-out = نفدت الكمية
shop-variant-sold-out = { $variant } (نفدت الكمية)
shop-not-available = هذا المنتج لم يعد متوفرًا.
shop-added = تمت الإضافة إلى سلتك: { $item }
shop-no-more-stock = عذرًا، نفدت الكمية المتوفرة من { $item }.
cart-empty = سلتك فارغة. يمكنك إرسال /shop لتصفّح المتجر.
cart-title = سلتك:
cart-line = { $quantity } × { $item }: { $total }
cart-total = الإجمالي: { $total }
cart-checkout = ✅ إتمام الشراء
cart-remove = ✕
checkout-problems = تغيّرت بعض المنتجات منذ إضافتها إلى سلتك، لذلك لم نُنشئ طلبك:
checkout-unavailable = • { $item }: لم يعد متوفرًا
checkout-short = • { $item }: المتوفر { $available } فقط (في سلتك { $quantity })
checkout-price-changed = • { $item }: السعر الآن { $now } (كان { $was }). أكمل الطلب مرة أخرى لقبوله.
checkout-fix = يُرجى تعديل سلتك ثم إتمام الشراء مرة أخرى.
checkout-created = تم حجز الطلب #{ $order } لك لمدة { $minutes } دقيقة. يُرجى الدفع عبر الفاتورة أدناه.
invoice-title = الطلب #{ $order }
invoice-description = عدد المنتجات من متجرنا: { $count }
invoice-total = الإجمالي
invoice-shipping = الشحن
precheckout-expired = انتهت صلاحية هذا الطلب. يُرجى الطلب من جديد.
precheckout-mismatch = لم تعد هذه الفاتورة مطابقة لطلبك. يُرجى الطلب من جديد.
precheckout-shipping-changed = خيار الشحن هذا لم يعد متاحًا. يرجى اختيار خيار آخر.
shipping-not-available = عذرًا، لا نشحن إلى { $country } حاليًا.
order-paid = شكرًا لك! استلمنا دفعتك البالغة { $total } للطلب #{ $order }. سنُعلمك عند شحنه.
order-paid-late = استلمنا دفعتك للطلب #{ $order }، لكن صلاحية الطلب كانت قد انتهت. سيُعيد فريقنا إليك المبلغ أو يتواصل معك قريبًا.
order-shipped = أخبار سارة: طلبك #{ $order } في الطريق إليك عبر { $carrier }. رقم التتبع: { $tracking }
order-delivered = تم توصيل الطلب #{ $order }. نتمنى أن ينال إعجابك، وشكرًا لتسوقك معنا!
order-cancelled = تم إلغاء الطلب #{ $order }.
order-expired = انتهت صلاحية الطلب #{ $order } لعدم دفعه في الوقت المحدد، وعادت المنتجات إلى المخزون. يمكنك إرسال /shop للطلب من جديد.
order-refunded = تم استرداد مبلغ الطلب #{ $order }.
orders-none = لا توجد لديك طلبات بعد. يمكنك إرسال /shop لتصفّح المتجر.
order-lookup-unknown = لم أجد الطلب #{ $order } ضمن طلباتك. أرسل /orders لعرضها.
order-words = طلب, شحن, شحنة, طرد, تتبع, توصيل
orders-title = طلباتك الأخيرة:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = بانتظار الدفع
order-status-paid = مدفوع
order-status-shipped = تم الشحن
order-status-delivered = تم التوصيل
order-status-completed = مكتمل
order-status-cancelled = ملغى
order-status-refunded = تم استرداد المبلغ
order-details = الطلب #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = تم الشحن عبر { $carrier }، رقم التتبع: { $tracking }

## محادثة فريق العمل (بلغة البوت الافتراضية)

staff-new-order = 🛒 طلب جديد مدفوع #{ $order }: { $total } من { $customer }
staff-ship-to = عنوان الشحن: { $address }
staff-button-ship = 🚚 شحن
staff-button-cancel = ✖ إلغاء
staff-ship-hint = يُرجى إرسال /ship { $order } شركة_الشحن رقم_التتبع
staff-shipped = سُجّل الطلب #{ $order } على أنه تم شحنه، وأصبح رقم التتبع لدى العميل.
staff-delivered = سُجّل الطلب #{ $order } على أنه تم توصيله.
staff-cancelled = أُلغي الطلب #{ $order } وعادت كمياته إلى المخزون. يُرجى ردّ أي مبلغ مدفوع.
staff-no-order = لا يوجد طلب برقم #{ $order }.
staff-refused = لم يتغيّر الطلب #{ $order }: { $reason }
staff-usage = طريقة الاستخدام: /ship رقم_الطلب شركة_الشحن رقم_التتبع، أو /delivered رقم_الطلب، أو /cancel رقم_الطلب، أو /paid رقم_الطلب.
staff-stuck-parcel = ⚠️ شُحن الطلب #{ $order } عبر { $carrier } ({ $tracking })، لكن لم يطرأ عليه أي تحديث منذ { $days } يومًا. يُرجى التحقق من الطرد.
shop-pay-manually = 🏦 تحويل بنكي أو الدفع عند الاستلام
checkout-manual-offer = هل تفضّل الدفع بطريقة أخرى؟
order-manual-chosen = نحتفظ بالطلب #{ $order } ({ $total }) لك لمدة { $days } أيام. سنؤكده فور وصول دفعتك.
staff-manual-order = 🏦 الطلب #{ $order }: { $total } من { $customer } سيُدفع يدويًا. أكّد عند وصول المبلغ.
staff-button-confirm = ✅ تم استلام الدفعة
staff-payment-confirmed = تم تأكيد دفع الطلب #{ $order } وإبلاغ العميل.

## Coupons

cmd-coupons = قسائمك
coupon-usage = لاستخدام رمز، أرسل /coupon متبوعًا بالرمز، مثلًا: /coupon WELCOME10
coupon-current = في سلتك الرمز { $code }. أرسل /coupon off لإزالته.
coupon-removed = أُزيل الرمز من سلتك.
coupon-saved = تم حفظ الرمز { $code }: سيُخصم من طلبك عند إتمام الشراء.
coupon-applied = الرمز { $code } مطبّق على سلتك: خصم { $saving }.
coupon-unknown = عذرًا، الرمز { $code } غير موجود. يرجى التحقق منه والمحاولة مجددًا.
coupon-not-started = يمكن استخدام الرمز { $code } ابتداءً من { $date }.
coupon-expired = عذرًا، انتهت صلاحية الرمز { $code }.
coupon-not-for-you = عذرًا، الرمز { $code } غير متاح لحسابك.
coupon-currency = لا يمكن استخدام الرمز { $code } بعملة هذا المتجر.
coupon-used-up = عذرًا، نفدت استخدامات الرمز { $code }.
coupon-customer-limit = لقد استخدمت الرمز { $code } الحد الأقصى من المرات المسموح بها.
coupon-nothing-eligible = الرمز { $code } لا ينطبق على أي منتج في سلتك.
coupon-minimum-spend = أضف { $missing } أخرى من المنتجات المشمولة لاستخدام الرمز { $code }.
coupon-minimum-quantity = أضف { $missing } منتجات مشمولة أخرى لاستخدام الرمز { $code }.
checkout-promotion-ended = • انتهى العرض ({ $code }) للتو. يرجى مراجعة المجموع الجديد وإتمام الطلب مرة أخرى.
invoice-discount = الخصم
cart-discount = 🏷 { $name }: { $amount }
coupons-title = قسائمك:
coupons-none = ليست لديك قسائم حاليًا. تابع قناتنا لتحصل على قسائم جديدة!
coupons-line = 🎟 { $code }: { $name }، { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (يُطبّق تلقائيًا)
coupons-min-spend = ، ابتداءً من { $amount }
coupons-until = ، حتى { $date }
benefit-percent = خصم { $percent } ٪
benefit-fixed = خصم { $amount }
benefit-free-shipping = شحن مجاني
benefit-buy-get-free = اشترِ { $buy } واحصل على { $get } مجانًا
benefit-buy-get-off = اشترِ { $buy } واحصل على { $get } بخصم { $percent } ٪

## Community

join-check-button = مرحبًا { $name }! للانضمام إلى { $chat }، اضغط على الزر أدناه خلال 4 دقائق.
join-check-button-label = ✅ لست روبوتًا
join-check-question = مرحبًا { $name }! للانضمام إلى { $chat }، أجب عن هذا السؤال خلال 4 دقائق:
join-check-done = شكرًا، وصلتنا إجابتك بخصوص { $chat }.
join-check-closed = طلب الانضمام هذا لم يعد مفتوحًا.
join-approved = أهلًا بك في { $chat }! 🎉
join-coupon = إليك هدية الترحيب: { $benefit } بالرمز { $code }. الرمز موجود في سلتك بالفعل: أرسل /shop لاستخدامه.
join-declined = عذرًا، الإجابة غير صحيحة، لذا لم نتمكن من إضافتك إلى { $chat }. يمكنك طلب الانضمام مرة أخرى.
join-timed-out = انتهى وقت الانضمام إلى { $chat }. يمكنك طلب الانضمام مرة أخرى في أي وقت.
join-review = مرحبًا { $name }! سيراجع فريقنا طلبك للانضمام إلى { $chat }. يرجى انتظار القرار.
join-declined-staff = عذرًا، لم تتم الموافقة على طلبك للانضمام إلى { $chat }.
join-review-staff = 🙋 { $person } يطلب الانضمام إلى { $chat }.
join-review-staff-member = 🙋 { $person } انضم إلى { $chat } ولا يمكنه النشر حتى تقرر.
join-review-approve = ✅ موافقة
join-review-decline = ❌ رفض
join-review-approved = ✅ { $person } في { $chat }: وافق { $staff }.
join-review-declined = ❌ { $person } في { $chat }: رفض { $staff }.
join-review-decided = تم البت في هذا بالفعل.
group-check-button = أهلًا { $name }! اضغط الزر أدناه خلال { $minutes } دقائق لتتمكن من النشر هنا.
group-check-question = أهلًا { $name }! أجب خلال { $minutes } دقائق لتتمكن من النشر هنا:
group-check-not-yours = هذا التحقق لشخص آخر.
group-check-closed = تم إغلاق هذا التحقق.

## Flash sales
flash-sale-title = ⚡ تخفيض خاطف: { $product }
flash-sale-price = سعر العرض: { $price }
flash-sale-price-was = سعر العرض: { $price } بدلًا من { $was }
flash-sale-limit = الحد: { $count } لكل عميل
flash-sale-line-upcoming = ⏰ يبدأ في { $start } · { $units } قطعة فقط
flash-sale-line-running = 🔥 جارٍ الآن: تبقّى { $left } من { $units } · ينتهي في { $end }
flash-sale-line-sold-out = 🚫 نفدت الكمية
flash-sale-line-ended = ⌛ انتهى هذا التخفيض الخاطف.
flash-sale-line-cancelled = أُلغي هذا التخفيض الخاطف.
flash-sale-remind-button = 🔔 ذكّرني
flash-sale-early-access = ⭐ وصول مبكر: مستوى عضويتك يتيح لك الشراء الآن قبل أن يُفتح العرض للجميع.
flash-sale-open-button = 🛒 اشترِ عبر البوت
flash-sale-buy-button = 🛒 اشترِ الآن · { $price }
flash-sale-started = ⚡ بدأ التخفيض الخاطف الذي طلبت التذكير به!
flash-sale-reminder-set = 🔔 تم! سنراسلك عند بدء العرض.
flash-sale-reminder-already = أنت في القائمة بالفعل: سنراسلك عند بدء العرض.
flash-sale-start-bot = ابدأ البوت أولًا ليتمكن من مراسلتك، ثم اضغط «ذكّرني» مرة أخرى.
flash-sale-on-now = العرض جارٍ الآن: اضغط «اشترِ الآن» في البوت.
flash-sale-unknown = عذرًا، هذا التخفيض الخاطف غير موجود.
flash-sale-cancelled = عذرًا، أُلغي هذا التخفيض الخاطف.
flash-sale-not-started = ⏰ ليس بعد! يبدأ العرض في { $start }.
flash-sale-ended = ⌛ عذرًا، انتهى هذا التخفيض الخاطف.
flash-sale-sold-out = 😔 نفدت الكمية! تعود قطع الطلبات غير المدفوعة بعد { $minutes } دقيقة: حاول لاحقًا.
flash-sale-limit-reached = لديك بالفعل { $count } من هذا العرض، وهو الحد الأقصى لكل عميل.
flash-sale-got-it = 🎉 حصلت على قطعة! ادفع الفاتورة خلال { $minutes } دقيقة للاحتفاظ بها.

## Giveaways

giveaway-announcement =
    🎁 سحب: { $prize }
    عدد الفائزين { $winners }، والسحب في { $ends }. اضغط الزر للمشاركة!
    سحب عادل: قيمة SHA-256 للبذرة السرية هي { $commitment }؛ وتُنشر البذرة مع النتيجة.
giveaway-join = 🎁 شارك
giveaway-entered = أنت مشارك الآن! رقمك #{ $number }. ابدأ محادثة معي لأخبرك إن فزت.
giveaway-already-in = أنت مشارك بالفعل برقم #{ $number }.
giveaway-closed = انتهى هذا السحب.
giveaway-won = 🎉 فزت في السحب: { $prize }!
giveaway-prize-code = رمز جائزتك هو { $code }، وهو في سلتك بالفعل.
giveaway-no-entries = لم يشارك أحد
giveaway-result =
    🎁 نتيجة السحب: { $prize }
    الفائزون: { $winners }
    عدد المشاركين: { $entries }
    البذرة: { $seed } (قيمة SHA-256 لها { $commitment } كما أُعلن). الرقم n يأخذ SHA-256("البذرة:n")؛ والأصغر يفوز.
giveaway-requires = للفوز، كن عضواً في { $chats } وقت السحب.
giveaway-skipped = تم تخطيهم (ليسوا أعضاء في المحادثات المطلوبة وقت السحب): { $entries }

## Referrals
cmd-invite = ادعُ أصدقاءك
invite =
    🎁 ادعُ أصدقاءك واربح مكافآت!
    رابطك الشخصي: { $link }

    بدايات: { $starts } · عملاء جدد: { $joins } · طلبات أولى: { $orders } · مكافآت: { $rewards }

    تحصل على مكافأة عندما يدفع صديق جديد هنا طلبه الأول.
invite-share = 📤 مشاركة
invite-share-text = تعال وتسوّق معي هنا!
referral-self = هذا رابط الدعوة الخاص بك: شاركه مع أصدقائك لتربح المكافآت.
referral-welcome = 🎁 أهلًا بك! دعاك صديق. رمز الترحيب { $code } موجود في سلتك.
referral-rewarded = 🎉 صديق دعوته دفع للتو طلبه الأول. رمز مكافأتك: { $code }

## Group-buys
group-buy-offer =
    👥 شراء جماعي: { $product }
    اجمع { $size } أشخاص ويدفع كل واحد { $price } بدلاً من { $was }.
    أمام الفريق { $hours } ساعة ليكتمل؛ وإلا يُعاد المبلغ للجميع.
group-buy-open-button = 👥 ابدأ فريقاً · { $price }
group-buy-team = 👥 شراء جماعي: { $product } بسعر { $price } بدلاً من { $was }
group-buy-progress = انضم { $members }/{ $size } · دفع { $paid } · متبقٍ { $hours } ساعة
group-buy-line-full = ✅ اكتمل الفريق: تُنفَّذ جميع الطلبات الـ { $size }.
group-buy-line-failed = ⌛ أُغلق هذا الفريق: لم ينضم عدد كافٍ في الوقت المحدد.
group-buy-join-button = 👥 انضم إلى الفريق
group-buy-join-price-button = 👥 انضم · { $price }
group-buy-share-button = 📤 ادعُ أصدقاءك
group-buy-share-text = انضم إلى فريق الشراء الجماعي الخاص بي لنحصل جميعاً على سعر المجموعة!
group-buy-unknown = عذراً، هذا الشراء الجماعي غير موجود.
group-buy-offer-ended = عذراً، انتهى عرض الشراء الجماعي هذا.
group-buy-no-stock = 😔 لا يكفي المخزون لفريق جديد. انضم إلى فريق مفتوح أو حاول لاحقاً.
group-buy-team-closed = عذراً، هذا الفريق مغلق.
group-buy-no-place = عذراً، كل الأماكن في هذا الفريق محجوزة. ابدأ فريقك الخاص!
group-buy-already-member = أنت في هذا الفريق بالفعل.
group-buy-placed = 👥 مكانك محجوز: ادفع الفاتورة خلال { $minutes } دقيقة للاحتفاظ به.
group-buy-complete = 🎉 اكتمل فريقك! يُنفَّذ الطلب { $order } بسعر المجموعة.
group-buy-failed = ⌛ لم يكتمل فريقك في الوقت المحدد. أُغلق الطلب { $order } وسيُعاد أي مبلغ مدفوع.
group-buy-offer-reserve =
    👥 شراء جماعي: { $product }
    اجمع { $size } أشخاص ويدفع كل واحد { $price } بدلاً من { $was }.
    احجز مكانك الآن وادفع عند اكتمال الفريق؛ أمام الفريق { $hours } ساعة ليكتمل.
group-buy-reserved = 👥 تم حجز مكانك. سنرسل الفاتورة عند اكتمال الفريق.
group-buy-complete-pay = 🎉 اكتمل فريقك! ادفع { $price } للطلب { $order } خلال { $minutes } دقيقة للاحتفاظ بمكانك.
group-buy-full-price = ⌛ لم يكتمل فريقك في الوقت المحدد. لا يزال بإمكانك الحصول على الطلب { $order } بالسعر العادي { $price }: ادفع خلال { $minutes } دقيقة أو اتركه ينتهي.

## Moderation
moderation-rule-words = كلمة غير مسموح بها هنا
moderation-rule-links = الروابط إلى مواقع أخرى غير مسموح بها هنا
moderation-rule-flood = رسائل كثيرة جداً
moderation-warned = ⚠️ { $name }، التحذير { $count } من { $limit }: { $reason }.
moderation-muted = 🔇 تم كتم { $name } لمدة { $hours } ساعة: { $reason }.
moderation-banned = ⛔ تمت إزالة { $name } من المجموعة: { $reason }.
moderation-rule-forwards = إعادة التوجيه من قنوات أخرى غير مسموح بها هنا
moderation-rule-media = هذا النوع من الوسائط غير مسموح به هنا
moderation-rule-bot_mentions = الإشارة إلى بوتات أخرى غير مسموح بها هنا
moderation-rule-staff = بقرار من المشرف
moderation-muted-minutes = 🔇 تم كتم { $name } لمدة { $minutes } دقيقة: { $reason }.
moderation-unmuted = 🔊 يمكن لـ { $name } الكتابة مجدداً.
moderation-unbanned = ✅ يمكن لـ { $name } الانضمام إلى المجموعة مجدداً.
moderation-command-usage = قم بالرد على رسالة بـ /warn أو /mute 30m (أو 1h أو 1d) أو /ban مع ذكر السبب إن شئت؛ ويقبل /unmute و /unban أيضاً معرّف المستخدم.
appeal-usage = اكتب تظلمك بعد الأمر، مثلاً: /appeal شاركت فقط رابط تتبع طلبي.
appeal-nothing = لست مكتوماً أو محظوراً في أي من مجموعاتنا.
appeal-unavailable = لا يمكن إرسال التظلمات هنا؛ يرجى مراسلة مشرفي المجموعة.
appeal-sent = تم إرسال تظلمك بخصوص { $chat } إلى الفريق. سيصلك الرد هنا.
appeal-staff = 📨 تظلم من { $name } (المعرّف { $user }) في { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ رفع
appeal-button-keep = ❌ إبقاء
appeal-reason = تم قبول التظلم
appeal-decided = تم البت في هذا التظلم بالفعل.
appeal-lifted-staff = ✅ تظلم { $name } (المعرّف { $user }) في { $chat }: رفعه { $staff }.
appeal-kept-staff = ❌ تظلم { $name } (المعرّف { $user }) في { $chat }: أبقاه { $staff }.
appeal-lifted = تم قبول تظلمك بخصوص { $chat }: تم رفع القيد.
appeal-kept = تمت مراجعة تظلمك بخصوص { $chat }: يبقى القيد قائماً.
raid-alert = 🚨 موجة انضمام في “{ $chat }”: { $joins } انضماماً خلال { $seconds } ث. سيخضع طالبو الانضمام لتحقق أشد خلال الـ { $minutes } دقيقة القادمة.
staff-chat-rights = ⚠️ يحتاج البوت إلى صلاحيات إضافية في “{ $chat }”: { $rights }. افتح إعدادات المشرفين في المحادثة لإصلاح ذلك.
right-admin = اجعله مشرفاً
right-invite = اسمح له بدعوة المستخدمين (روابط الدعوة وطلبات الانضمام)
right-delete = اسمح له بحذف الرسائل (الإشراف)
right-restrict = اسمح له بحظر المستخدمين (الكتم والحظر)

## Settings
cmd-settings = إعداداتك
settings-marketing-on = الأخبار والعروض: مفعّلة. يمكنك إيقافها من هنا في أي وقت.
settings-marketing-off = الأخبار والعروض: متوقفة. ستصلك إشعارات الطلبات والشحن كالمعتاد.
settings-stop-marketing = إيقاف الأخبار والعروض
settings-allow-marketing = أرسلوا لي الأخبار والعروض
marketing-stopped = تم: لن نرسل لك أخبارًا أو عروضًا بعد الآن. ستصلك إشعارات الطلبات والشحن كالمعتاد.
marketing-allowed = تم: ستصلك أخبارنا وعروضنا. يمكنك إيقافها في أي وقت عبر /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    بياناتك لدينا:
    • اسمك واسم المستخدم ولغتك في تيليجرام، للتواصل معك؛
    • طلباتك وعناوينك ومدفوعاتك، للتوصيل وللمحاسبة؛
    • الرسائل التي ترسلها إلى هذا البوت، للرد عليك؛
    • اختياراتك أدناه، كإثبات لما وافقت عليه.
    نحن لا نبيع بياناتك أبدًا.

    إصدار السياسة الذي قبلته: { $version }
    الأخبار والعروض: { $marketing }
privacy-none = لا شيء بعد
privacy-on = مفعّلة
privacy-off = متوقفة
privacy-button-choices = تغيير اختياراتي
privacy-button-export = 📦 تصدير بياناتي
privacy-button-erase = 🗑 حذف بياناتي
privacy-erase-confirm =
    هل تريد حذف جميع بياناتك؟ سيتم حذف ملفك وعناوينك ورسائلك واختياراتك ولن نراسلك مرة أخرى. تبقى الطلبات في سجلاتنا المحاسبية دون اسمك كما يقتضي القانون. لا يمكن التراجع عن ذلك.
privacy-erase-yes = نعم، احذف كل شيء
privacy-erase-no = لا، احتفظ بها
privacy-erased = تم حذف بياناتك. هذه آخر رسالة تصلك منا. وداعًا!
privacy-kept = لم يُحذف أي شيء.
privacy-export-preparing = جارٍ تجهيز بياناتك. سيصل الملف إلى هنا خلال بضع دقائق.
privacy-export-caption = بياناتك: { $orders } طلبات، { $messages } رسائل، { $events } سجلات نشاط، { $consents } سجلات موافقة، { $referrals } إحالات، { $tags } وسوم. الملف المرفق يحتوي على كل ذلك بصيغة JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = التحدث إلى موظف
faq-button-helpful = 👍 مفيد
faq-button-not-helpful = 👎 غير مفيد
faq-thanks = شكرًا لإخبارنا!
support-button-agent = 🙋 التحدث إلى موظف
support-did-you-mean = لست متأكدًا من أنني فهمتك. هل تقصد أحد هذه الخيارات؟
support-offer-agent = نأسف لأن ذلك لم يُفِدك. هل تودّ التحدث إلى أحد موظفينا؟
support-no-agents = عذرًا، لا يوجد أحد من فريقنا متاح للرد على الأسئلة هنا الآن. يمكنك تجربة /help.
support-media-needs-ticket = لإرسال صورة أو ملف إلينا، اضغط /agent أولًا ثم أرسله.
support-ticket-opened = أحلتُ سؤالك إلى فريقنا (التذكرة #{ $ticket }). سيرد عليك أحد موظفينا هنا مباشرةً. وكل ما ترسله الآن سيصل إليهم أيضًا.
support-ticket-continues = محادثتك #{ $ticket } لدى فريقنا بالفعل، وكل ما ترسله يصل إليهم.
support-outside-hours = فريقنا غير متاح حاليًا ويعود في { $time } ({ $zone }). سنرد عليك حينها.
support-resolved = سُجّل سؤالك #{ $ticket } على أنه تم حلّه. ما مدى رضاك عن مساعدتنا؟
support-nps-question = ما مدى احتمال أن توصي بنا لصديق؟ (0 = غير محتمل إطلاقًا، 10 = محتمل جدًا)
support-rating-thanks = شكرًا على ملاحظاتك!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 التذكرة #{ $ticket } · { $topic } · الأولوية { $priority }
    العميل: { $name } ({ $username })، اللغة { $language }
support-no-orders = لا توجد طلبات بعد.
support-agent-help = ردّ هنا للإجابة على العميل. الرسائل التي تبدأ بـ // (أو /note) ملاحظات داخلية. الأوامر: /resolve، /close، /assign، /priority low|normal|high، /transfer المجموعة، /canned الاسم، /tr النص (يُرسل مترجمًا).
support-ticket-not-active = التذكرة #{ $ticket } لم تعد مفتوحة: لم يُرسَل أي شيء إلى العميل.
support-resolved-by = ✅ حلّها { $agent }. طُلب من العميل تقييم المساعدة.
support-closed-by = أغلقها { $agent }.
support-assigned = أُسندت إلى { $agent }.
support-priority-usage = استخدم /priority low أو /priority normal أو /priority high.
support-priority-set = ضُبطت الأولوية على { $priority }، وأُعيد حساب المُهل.
support-transfer-usage = استخدم /transfer المجموعة مع إحدى المجموعات التالية: { $groups }
support-transferred = ➡️ حُوّلت إلى { $group }.
support-history = المحادثة حتى الآن (من { $group }):
support-canned-unknown = لا يوجد رد جاهز باسم «{ $name }».
support-unassigned = لا أحد بعد
support-target-first-response = الرد الأول
support-target-resolution = الحل
support-sla-warning = ⏰ التذكرة #{ $ticket } ({ $assignee }): تنتهي مهلة { $target } خلال { $minutes } دقيقة.
support-sla-breach = 🚨 تم تجاوز SLA: التذكرة #{ $ticket } في { $group } تجاوزت مهلة { $target } (المسؤول: { $assignee }).
support-translation-unavailable = 🌐 (الترجمة غير متاحة)
support-translation-off = الترجمة غير مُعدّة لهذه المجموعة: اطلب من أحد المشرفين إعداد خدمة الترجمة ولغة translate_to للمجموعة.
anomaly-header = 📉 هذا الأسبوع مقارنةً بالأسبوع السابق:
anomaly-chat-activity = { $chat }: انخفض النشاط بنسبة { $drop }% ({ $baseline } ← { $current } تحديثًا)
anomaly-chat-joins = { $chat }: انخفض الانضمام بنسبة { $drop }% ({ $baseline } ← { $current })
anomaly-paid-orders = انخفضت الطلبات المدفوعة بنسبة { $drop }% ({ $baseline } ← { $current })
anomaly-conversion = انخفض التحويل (الطلبات المدفوعة لكل محادثة بدأت) بنسبة { $drop }%: { $baseline } ← { $current }
anomaly-failed-sends = تعذّر إرسال { $failed } رسالة خلال اليوم الأخير ({ $share } من الإرسال). تحقّق من صلاحيات البوت والرسائل التي فشلت.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = غير نشط منذ { $days } يوماً
purge-reason-flagged = مُبلَّغ عنه من الإشراف (تحذيرات أو كتم)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = عضو
tier-name-silver = فضي
tier-name-gold = ذهبي
tier-name-black = أسود
tier-up = 🎉 تهانينا! أنت الآن في مستوى { $tier }. مزاياك:
tier-down = مستوى عضويتك الآن { $tier }. شكرًا لتسوقك معنا.
tier-benefit-discount = خصم { $percent }% على كل طلب
tier-benefit-free-shipping = شحن مجاني
tier-benefit-early-access = الوصول إلى العروض السريعة قبل الجميع بـ { $minutes } دقيقة
join-declined-tier = عذرًا، { $chat } مخصصة لأعضاء مستوى { $tier } فما فوق، لذا لم نتمكن من إضافتك بعد. تسوّق معنا للوصول إلى { $tier }!
purge-reason-below-tier = أقل من مستوى العضوية المطلوب للمجموعة لأكثر من { $days } يومًا

# نقاط الولاء (/checkin، /points، المكافآت)
cmd-checkin = تسجيل الحضور اليومي لكسب النقاط
cmd-points = نقاطك ومكافآتك
points-checkin = ✅ تم تسجيل حضورك! +{ $points } نقطة (اليوم { $streak } على التوالي). رصيدك: { $balance } نقطة.
points-checkin-already = لقد سجلت حضورك اليوم بالفعل (اليوم { $streak } على التوالي). عد غدًا! رصيدك: { $balance } نقطة.
points-balance = ⭐ لديك { $balance } نقطة. اكسب المزيد بالتسوق وبـ /checkin كل يوم.
points-balance-rewards = ⭐ لديك { $balance } نقطة. اضغط على مكافأة للحصول عليها:
points-reward-button = { $benefit } مقابل { $points } نقطة
points-redeemed = 🎉 تم! استخدمت { $points } نقطة. رمزك { $code } في سلتك: أرسل /shop لاستخدامه. النقاط المتبقية: { $balance }.
points-not-enough = عذرًا، هذه المكافأة تحتاج { $needed } نقطة ولديك { $balance }. واصل التسوق وتسجيل الحضور!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = شارك رقم هاتفك
settings-share-phone = 📱 مشاركة رقمي
phone-ask = اضغط الزر أدناه لمشاركة رقم هاتفك. إذا سبق أن اشتريت منا، فسنربط مشترياتك السابقة بهذا الحساب.
phone-button = 📱 مشاركة رقمي
phone-verified = شكرًا! تم التحقق من رقم هاتفك.
phone-not-yours = هذه جهة اتصال شخص آخر. يرجى مشاركة رقمك أنت باستخدام الزر أدناه.
phone-invalid = عذرًا، تعذّرت قراءة رقم الهاتف. يرجى المحاولة بالزر مرة أخرى.
import-linked = مرحبًا بعودتك! مشترياتك السابقة لدينا أصبحت مرتبطة بهذا الحساب.
claim-unknown = عذرًا، هذا الرابط غير صالح. يرجى فتح الرابط كاملًا من بريدك الإلكتروني.
claim-used = تم استخدام هذا الرابط من قبل. إذا كنت تظن أن هذا خطأ، أرسل /agent.
claim-already-yours = هذا الرابط مرتبط بحسابك بالفعل. لا حاجة لفعل أي شيء آخر!
cmd-birthday = شاركنا تاريخ ميلادك واحصل على هدية
birthday-saved = 🎂 شكرًا لك! حفظنا تاريخ ميلادك: { $date }. أرسل /birthday clear لحذفه.
birthday-cleared = تم حذف تاريخ ميلادك.
birthday-current = تاريخ ميلادك المحفوظ هو { $date }. أرسل /birthday مع تاريخ جديد لتغييره، أو /birthday clear لحذفه.
birthday-usage = أخبرنا بتاريخ ميلادك لنحتفل معك: أرسل /birthday مع اليوم والشهر، مثلًا /birthday 14.03
birthday-invalid = عذرًا، تعذرت قراءة هذا التاريخ. أرسل اليوم والشهر، مثلًا /birthday 14.03 أو /birthday 03-14.
automation-welcome-1 = مرحبًا { $name }، أهلًا بك! اضغط /shop لترى الجديد، وأرسل /agent متى احتجت إلى المساعدة.
automation-welcome-2 = { $name }، هل وجدت ما يعجبك؟ أحدث منتجاتنا بانتظارك في /shop.
automation-abandoned-cart = { $name }، تركت شيئًا في سلتك. ما زال بانتظارك!
automation-cart-button = 🛒 عرض سلتي
automation-review-request = { $name }، كيف كان طلبك رقم { $order }؟ رد على هذه الرسالة وأخبرنا؛ نقرأ كل رد.
automation-birthday = 🎂 عيد ميلاد سعيد يا { $name }! شكرًا لأنك معنا.
automation-win-back = اشتقنا إليك يا { $name }! خصم { $percent }% على طلبك القادم بالرمز { $code }، صالح لمدة { $days } يومًا.
automation-win-back-plain = اشتقنا إليك يا { $name }! تعال وشاهد الجديد في /shop.
automation-win-back-code = رمزك: { $code }
automation-restock = خبر سار يا { $name }: { $product } متوفر من جديد!
automation-restock-button = عرض المنتج
automation-notify-me = 🔔 أعلمني عند التوفر
automation-notify-saved = سنخبرك عندما يتوفر من جديد.
automation-notify-in-stock = خبر سار: المنتج متوفر من جديد. افتح المنتج لشرائه.

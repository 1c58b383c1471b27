# Тексты бота groupcart для покупателей, на русском языке.
# Каждое сообщение из en/bot.ftl должно быть и здесь, с теми же переменными (это проверяет тест).

language-name = Русский

choose-language = На каком языке вам удобнее общаться?
language-set = Хорошо, буду общаться с вами на русском.

privacy-notice =
    Здравствуйте, { $name }! Добро пожаловать!

    Прежде чем начать, несколько слов о ваших данных. Чтобы обслуживать вас, мы храним ваше имя, имя пользователя и язык в Telegram, ваши заказы и сообщения, которые вы отправляете этому боту. Мы никогда не продаём ваши данные. Вы можете в любой момент просмотреть, выгрузить или удалить их с помощью /privacy.

    Пожалуйста, выберите, что мы можем вам отправлять:
    • Служебные сообщения: уведомления о заказах, оплате и доставке, а также ответы на ваши вопросы.
    • Новости и предложения: купоны, новинки и распродажи. Их можно отключить в любой момент.

    (Версия политики конфиденциальности: { $version })
consent-accept-all = ✅ Служебные сообщения и предложения
consent-accept-service = ✅ Только служебные сообщения
consent-decline = ✖ Пока ничего
consent-saved-all = Спасибо! Вы будете получать служебные сообщения, а также наши новости и предложения. Изменить выбор можно в любой момент с помощью /privacy.
consent-saved-service = Спасибо! Вы будете получать только служебные сообщения, без предложений. Изменить выбор можно в любой момент с помощью /privacy.
consent-saved-none = Понятно: сами мы вам писать не будем. Вы по-прежнему можете написать нам здесь, а изменить выбор можно в любой момент с помощью /privacy.

welcome-back = С возвращением, { $name }! Отправьте /help, чтобы узнать, что я умею.
help =
    Вот что я умею:
    /shop: открыть магазин
    /cart: ваша корзина
    /orders: ваши заказы
    /coupons: ваши купоны
    /invite: приглашайте друзей и получайте награды
    /start: начать заново
    /language: сменить язык
    /privacy: ваши данные и настройки
    /help: этот список
not-understood = Извините, не совсем понятно, что вы имеете в виду. Отправьте /help, чтобы узнать, что я умею.
unknown-command = Такой команды я не знаю. Отправьте /help, чтобы узнать, что я умею.
button-expired = Эта кнопка больше не действует.
something-went-wrong = Извините, у нас что-то пошло не так. Пожалуйста, попробуйте ещё раз чуть позже.

cmd-start = Начать заново
cmd-help = Что умеет этот бот
cmd-language = Сменить язык
cmd-privacy = Ваши данные и настройки

## Магазин

cmd-shop = Перейти в магазин
cmd-cart = Ваша корзина
cmd-orders = Ваши заказы
shop-empty = Сейчас в магазине нет товаров в продаже. Загляните к нам чуть позже!
shop-choose-category = Что вы ищете?
shop-category-products = { $category }: страница { $page } из { $pages }
shop-all-products = Все товары: страница { $page } из { $pages }
shop-previous = « Назад
shop-next = Далее »
shop-back = ↩ Категории
shop-view-cart = 🛒 Корзина ({ $count })
shop-product-price = Цена: { $price }
shop-product-was = (вместо { $price })
shop-in-stock = В наличии
shop-also-like = Вам также может понравиться:
shop-few-left = Осталось всего { $count } шт.
shop-sold-out = Нет в наличии
shop-variant-sold-out = { $variant } (нет в наличии)
shop-not-available = Этот товар больше недоступен.
shop-added = Добавлено в корзину: { $item }
shop-no-more-stock = Извините, товара «{ $item }» больше нет в наличии.
cart-empty = Ваша корзина пуста. Отправьте /shop, чтобы перейти к покупкам.
cart-title = Ваша корзина:
cart-line = { $quantity } × { $item }: { $total }
cart-total = Итого: { $total }
cart-checkout = ✅ Оформить заказ
cart-remove = ✕
checkout-problems = С тех пор как вы добавили товары в корзину, некоторые из них изменились, поэтому заказ не был создан:
checkout-unavailable = • { $item }: больше нет в продаже
checkout-short = • { $item }: в наличии только { $available } шт. (у вас в корзине { $quantity } шт.)
checkout-price-changed = • { $item }: цена теперь { $now } (была { $was }). Оформите заказ ещё раз, чтобы согласиться.
checkout-fix = Пожалуйста, измените корзину и оформите заказ ещё раз.
checkout-created = Заказ #{ $order } зарезервирован для вас на { $minutes } мин. Оплатите его по счёту ниже.
invoice-title = Заказ #{ $order }
invoice-description = Товаров из нашего магазина: { $count }
invoice-total = Итого
invoice-shipping = Доставка
precheckout-expired = Срок действия этого заказа истёк. Пожалуйста, оформите заказ заново.
precheckout-mismatch = Этот счёт больше не соответствует вашему заказу. Пожалуйста, оформите заказ заново.
precheckout-shipping-changed = Этот способ доставки больше недоступен. Пожалуйста, выберите другой.
shipping-not-available = К сожалению, мы пока не доставляем в { $country }.
order-paid = Спасибо! Мы получили вашу оплату { $total } за заказ #{ $order }. Сообщим вам, когда он будет отправлен.
order-paid-late = Мы получили оплату за заказ #{ $order }, но срок действия заказа к тому времени уже истёк. Наша команда вскоре вернёт вам деньги или свяжется с вами.
order-shipped = Хорошие новости: заказ #{ $order } уже в пути, служба доставки: { $carrier }. Трек-номер: { $tracking }
order-delivered = Заказ #{ $order } доставлен. Пусть покупка радует вас, и спасибо, что выбрали нас!
order-cancelled = Заказ #{ $order } отменён.
order-expired = Срок действия заказа #{ $order } истёк, так как он не был оплачен вовремя. Товары снова доступны для покупки: отправьте /shop, чтобы заказать заново.
order-refunded = Деньги за заказ #{ $order } возвращены.
orders-none = У вас пока нет заказов. Отправьте /shop, чтобы перейти к покупкам.
order-lookup-unknown = Я не нашёл заказ #{ $order } среди ваших заказов. Отправьте /orders, чтобы их увидеть.
order-words = заказ, посылк, трек, доставк, отправлени, отслежива
orders-title = Ваши последние заказы:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = ожидает оплаты
order-status-paid = оплачен
order-status-shipped = отправлен
order-status-delivered = доставлен
order-status-completed = выполнен
order-status-cancelled = отменён
order-status-refunded = деньги возвращены
order-details = Заказ #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = Служба доставки: { $carrier }, трек-номер: { $tracking }

## Чат сотрудников (на языке бота по умолчанию)

staff-new-order = 🛒 Новый оплаченный заказ #{ $order }: { $total }, покупатель: { $customer }
staff-ship-to = Адрес доставки: { $address }
staff-button-ship = 🚚 Отправить
staff-button-cancel = ✖ Отменить
staff-ship-hint = Отправьте /ship { $order } СЛУЖБА_ДОСТАВКИ ТРЕК_НОМЕР
staff-shipped = Заказ #{ $order } отмечен как отправленный; покупатель получил трек-номер.
staff-delivered = Заказ #{ $order } отмечен как доставленный.
staff-cancelled = Заказ #{ $order } отменён, товары возвращены на склад. Если заказ был оплачен, верните деньги.
staff-no-order = Заказ #{ $order } не найден.
staff-refused = Заказ #{ $order } не изменён: { $reason }
staff-usage = Используйте /ship ЗАКАЗ СЛУЖБА_ДОСТАВКИ ТРЕК_НОМЕР, /delivered ЗАКАЗ, /cancel ЗАКАЗ или /paid ЗАКАЗ.
staff-stuck-parcel = ⚠️ Заказ #{ $order } отправлен через { $carrier } ({ $tracking }), но уже { $days } дн. без изменений. Проверьте посылку.
shop-pay-manually = 🏦 Банковский перевод или оплата при получении
checkout-manual-offer = Хотите оплатить другим способом?
order-manual-chosen = Заказ #{ $order } ({ $total }) забронирован для вас на { $days } дн. Мы подтвердим его, как только получим оплату.
staff-manual-order = 🏦 Заказ #{ $order }: { $total } от { $customer } будет оплачен вручную. Подтвердите, когда поступят деньги.
staff-button-confirm = ✅ Оплата получена
staff-payment-confirmed = Оплата заказа #{ $order } подтверждена; покупатель уведомлён.

## Coupons

cmd-coupons = Ваши купоны
coupon-usage = Чтобы применить код, отправьте /coupon и код, например: /coupon WELCOME10
coupon-current = В вашей корзине код { $code }. Отправьте /coupon off, чтобы убрать его.
coupon-removed = Код убран из корзины.
coupon-saved = Код { $code } сохранён: скидка будет учтена при оформлении заказа.
coupon-applied = Код { $code } применён к корзине: скидка { $saving }.
coupon-unknown = К сожалению, кода { $code } не существует. Проверьте его и попробуйте снова.
coupon-not-started = Код { $code } действует с { $date }.
coupon-expired = К сожалению, срок действия кода { $code } истёк.
coupon-not-for-you = К сожалению, код { $code } недоступен для вашего аккаунта.
coupon-currency = Код { $code } нельзя использовать в валюте этого магазина.
coupon-used-up = К сожалению, код { $code } уже исчерпан.
coupon-customer-limit = Вы уже использовали код { $code } максимальное число раз.
coupon-nothing-eligible = Код { $code } не действует ни на один товар в корзине.
coupon-minimum-spend = Добавьте подходящих товаров ещё на { $missing }, чтобы применить код { $code }.
coupon-minimum-quantity = Добавьте ещё { $missing } подходящих товара, чтобы применить код { $code }.
checkout-promotion-ended = • Акция ({ $code }) только что закончилась. Проверьте новую сумму и оформите заказ ещё раз.
invoice-discount = Скидка
cart-discount = 🏷 { $name }: { $amount }
coupons-title = Ваши купоны:
coupons-none = Сейчас у вас нет купонов. Следите за нашим каналом, чтобы не пропустить новые!
coupons-line = 🎟 { $code }: { $name }, { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (применяется автоматически)
coupons-min-spend = , от { $amount }
coupons-until = , до { $date }
benefit-percent = скидка { $percent } %
benefit-fixed = скидка { $amount }
benefit-free-shipping = бесплатная доставка
benefit-buy-get-free = купите { $buy }, получите { $get } бесплатно
benefit-buy-get-off = купите { $buy }, получите { $get } со скидкой { $percent } %

## Community

join-check-button = Здравствуйте, { $name }! Чтобы вступить в { $chat }, нажмите кнопку ниже в течение 4 минут.
join-check-button-label = ✅ Я не робот
join-check-question = Здравствуйте, { $name }! Чтобы вступить в { $chat }, ответьте на вопрос в течение 4 минут:
join-check-done = Спасибо, ваш ответ для { $chat } получен.
join-check-closed = Эта заявка на вступление уже закрыта.
join-approved = Добро пожаловать в { $chat }! 🎉
join-coupon = Ваш приветственный подарок: { $benefit } по коду { $code }. Код уже в вашей корзине: отправьте /shop, чтобы воспользоваться им.
join-declined = К сожалению, ответ неверный, поэтому мы не смогли добавить вас в { $chat }. Вы можете подать заявку снова.
join-timed-out = Время на вступление в { $chat } истекло. Вы можете подать заявку снова в любое время.
join-review = Здравствуйте, { $name }! Вашу заявку на вступление в { $chat } рассмотрит наша команда. Пожалуйста, дождитесь решения.
join-declined-staff = К сожалению, ваша заявка на вступление в { $chat } не одобрена.
join-review-staff = 🙋 { $person } просит вступить в { $chat }.
join-review-staff-member = 🙋 { $person } вступил(а) в { $chat } и не может писать, пока вы не решите.
join-review-approve = ✅ Одобрить
join-review-decline = ❌ Отклонить
join-review-approved = ✅ { $person } в { $chat }: одобрено, { $staff }.
join-review-declined = ❌ { $person } в { $chat }: отклонено, { $staff }.
join-review-decided = Решение уже принято.
group-check-button = Добро пожаловать, { $name }! Нажмите кнопку ниже в течение { $minutes } мин., чтобы писать здесь.
group-check-question = Добро пожаловать, { $name }! Ответьте в течение { $minutes } мин., чтобы писать здесь:
group-check-not-yours = Эта проверка для другого участника.
group-check-closed = Эта проверка закрыта.

## Flash sales
flash-sale-title = ⚡ Распродажа: { $product }
flash-sale-price = Цена распродажи: { $price }
flash-sale-price-was = Цена распродажи: { $price } вместо { $was }
flash-sale-limit = Не больше { $count } шт. в одни руки
flash-sale-line-upcoming = ⏰ Старт { $start } · всего { $units } шт.
flash-sale-line-running = 🔥 Идёт сейчас: осталось { $left } из { $units } · до { $end }
flash-sale-line-sold-out = 🚫 Всё раскуплено
flash-sale-line-ended = ⌛ Распродажа закончилась.
flash-sale-line-cancelled = Распродажа отменена.
flash-sale-remind-button = 🔔 Напомнить мне
flash-sale-early-access = ⭐ Ранний доступ: ваш уровень участника позволяет купить уже сейчас, до открытия распродажи для всех.
flash-sale-open-button = 🛒 Купить в боте
flash-sale-buy-button = 🛒 Купить · { $price }
flash-sale-started = ⚡ Распродажа, о которой вы просили напомнить, началась!
flash-sale-reminder-set = 🔔 Готово! Напишем вам, когда распродажа начнётся.
flash-sale-reminder-already = Вы уже в списке: напишем вам, когда распродажа начнётся.
flash-sale-start-bot = Сначала запустите бота, чтобы он мог вам писать, и снова нажмите «Напомнить мне».
flash-sale-on-now = Распродажа уже идёт: нажмите «Купить» в боте.
flash-sale-unknown = К сожалению, такой распродажи нет.
flash-sale-cancelled = К сожалению, эта распродажа отменена.
flash-sale-not-started = ⏰ Ещё рано! Распродажа начнётся { $start }.
flash-sale-ended = ⌛ К сожалению, распродажа закончилась.
flash-sale-sold-out = 😔 Всё раскуплено! Товар из неоплаченных заказов вернётся через { $minutes } мин.: попробуйте позже.
flash-sale-limit-reached = У вас уже { $count } шт. из этой распродажи: это максимум на покупателя.
flash-sale-got-it = 🎉 Успели! Оплатите счёт в течение { $minutes } мин., чтобы товар остался за вами.

## Giveaways

giveaway-announcement =
    🎁 Розыгрыш: { $prize }
    Победителей: { $winners }, итоги { $ends }. Нажмите кнопку, чтобы участвовать!
    Честный розыгрыш: SHA-256 нашего секретного ключа — { $commitment }; ключ публикуется вместе с итогами.
giveaway-join = 🎁 Участвовать
giveaway-entered = Вы участвуете! Ваш номер #{ $number }. Начните чат со мной, чтобы я мог сообщить, если вы выиграете.
giveaway-already-in = Вы уже участвуете, ваш номер #{ $number }.
giveaway-closed = Этот розыгрыш завершён.
giveaway-won = 🎉 Вы выиграли в розыгрыше: { $prize }!
giveaway-prize-code = Ваш код приза — { $code }; он уже в вашей корзине.
giveaway-no-entries = никто не участвовал
giveaway-result =
    🎁 Итоги розыгрыша: { $prize }
    Победители: { $winners }
    Участников: { $entries }
    Ключ: { $seed } (его SHA-256 — { $commitment }, как и было объявлено). Номер n получает SHA-256("ключ:n"); выигрывают наименьшие.
giveaway-requires = Чтобы выиграть, будьте участником { $chats } в момент розыгрыша.
giveaway-skipped = Пропущены (не состояли в нужных чатах на момент розыгрыша): { $entries }

## Referrals
cmd-invite = Пригласить друзей
invite =
    🎁 Приглашайте друзей и получайте награды!
    Ваша личная ссылка: { $link }

    Запуски: { $starts } · Новые покупатели: { $joins } · Первые заказы: { $orders } · Награды: { $rewards }

    Награда начисляется, когда новый здесь друг оплачивает свой первый заказ.
invite-share = 📤 Поделиться
invite-share-text = Присоединяйся к покупкам здесь!
referral-self = Это ваша собственная пригласительная ссылка: поделитесь ею с друзьями, чтобы получать награды.
referral-welcome = 🎁 Добро пожаловать! Вас пригласил друг. Приветственный код { $code } уже в вашей корзине.
referral-rewarded = 🎉 Приглашённый вами друг только что оплатил первый заказ. Ваш код-награда: { $code }

## Group-buys
group-buy-offer =
    👥 Совместная покупка: { $product }
    Соберите команду из { $size } человек — каждый платит { $price } вместо { $was }.
    На сбор команды { $hours } ч; если не соберётся, всем вернут деньги.
group-buy-open-button = 👥 Создать команду · { $price }
group-buy-team = 👥 Совместная покупка: { $product } за { $price } вместо { $was }
group-buy-progress = { $members }/{ $size } в команде · { $paid } оплатили · осталось { $hours } ч
group-buy-line-full = ✅ Команда собрана: все { $size } заказа выполняются.
group-buy-line-failed = ⌛ Команда закрыта: не набралось достаточно людей вовремя.
group-buy-join-button = 👥 Вступить в команду
group-buy-join-price-button = 👥 Вступить · { $price }
group-buy-share-button = 📤 Пригласить друзей
group-buy-share-text = Вступай в мою команду совместной покупки — всем достанется групповая цена!
group-buy-unknown = Извините, такой совместной покупки нет.
group-buy-offer-ended = Извините, это предложение совместной покупки закончилось.
group-buy-no-stock = 😔 Недостаточно товара для новой команды. Вступите в открытую команду или попробуйте позже.
group-buy-team-closed = Извините, эта команда закрыта.
group-buy-no-place = Извините, все места в этой команде заняты. Создайте свою команду!
group-buy-already-member = Вы уже в этой команде.
group-buy-placed = 👥 Место за вами: оплатите счёт в течение { $minutes } мин., чтобы сохранить его.
group-buy-complete = 🎉 Ваша команда собрана! Заказ { $order } выполняется по групповой цене.
group-buy-failed = ⌛ Ваша команда не собралась вовремя. Заказ { $order } закрыт, оплата будет возвращена.
group-buy-offer-reserve =
    👥 Совместная покупка: { $product }
    Соберите команду из { $size } человек — каждый платит { $price } вместо { $was }.
    Забронируйте место сейчас, а оплатите, когда команда соберётся; на сбор { $hours } ч.
group-buy-reserved = 👥 Место забронировано. Мы пришлём счёт, когда команда соберётся.
group-buy-complete-pay = 🎉 Ваша команда собрана! Оплатите { $price } за заказ { $order } в течение { $minutes } мин., чтобы сохранить место.
group-buy-full-price = ⌛ Ваша команда не собралась вовремя. Заказ { $order } можно купить по обычной цене, { $price }: оплатите в течение { $minutes } мин. или просто пропустите.

## Moderation
moderation-rule-words = слово, которое здесь запрещено
moderation-rule-links = ссылки на другие сайты здесь запрещены
moderation-rule-flood = слишком много сообщений
moderation-warned = ⚠️ { $name }, предупреждение { $count } из { $limit }: { $reason }.
moderation-muted = 🔇 { $name } не может писать { $hours } ч: { $reason }.
moderation-banned = ⛔ { $name } удалён из группы: { $reason }.
moderation-rule-forwards = пересылки из других каналов здесь запрещены
moderation-rule-media = такие файлы здесь запрещены
moderation-rule-bot_mentions = упоминания других ботов здесь запрещены
moderation-rule-staff = решение модератора
moderation-muted-minutes = 🔇 { $name } не может писать { $minutes } мин: { $reason }.
moderation-unmuted = 🔊 { $name } снова может писать.
moderation-unbanned = ✅ { $name } снова может вступить в группу.
moderation-command-usage = Ответьте на сообщение командой /warn, /mute 30m (или 1h, 1d) или /ban, можно с причиной; /unmute и /unban принимают и id пользователя.
appeal-usage = Напишите обжалование после команды, например: /appeal Я лишь поделился ссылкой на отслеживание своего заказа.
appeal-nothing = Вы не ограничены и не заблокированы ни в одной из наших групп.
appeal-unavailable = Здесь нельзя подать обжалование; напишите администраторам группы.
appeal-sent = Ваше обжалование по { $chat } отправлено команде. Ответ придёт сюда.
appeal-staff = 📨 Обжалование от { $name } (id { $user }) в { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ Снять
appeal-button-keep = ❌ Оставить
appeal-reason = обжалование принято
appeal-decided = По этому обжалованию уже принято решение.
appeal-lifted-staff = ✅ Обжалование { $name } (id { $user }) в { $chat }: снято, { $staff }.
appeal-kept-staff = ❌ Обжалование { $name } (id { $user }) в { $chat }: оставлено, { $staff }.
appeal-lifted = Ваше обжалование по { $chat } принято: ограничение снято.
appeal-kept = Ваше обжалование по { $chat } рассмотрено: ограничение остаётся.
raid-alert = 🚨 Массовое вступление в «{ $chat }»: { $joins } за { $seconds } с. Следующие { $minutes } мин желающих вступить проверяют строже.
staff-chat-rights = ⚠️ Боту не хватает прав в «{ $chat }»: { $rights }. Исправьте это в настройках администраторов чата.
right-admin = сделайте его администратором
right-invite = разрешите приглашать пользователей (ссылки и заявки)
right-delete = разрешите удалять сообщения (модерация)
right-restrict = разрешите блокировать пользователей (мут и бан)

## Settings
cmd-settings = Ваши настройки
settings-marketing-on = Новости и предложения: включены. Их можно отключить здесь в любой момент.
settings-marketing-off = Новости и предложения: отключены. Уведомления о заказах и доставке приходят как прежде.
settings-stop-marketing = Отключить новости и предложения
settings-allow-marketing = Присылать новости и предложения
marketing-stopped = Готово: больше никаких новостей и предложений. Уведомления о заказах и доставке приходят как прежде.
marketing-allowed = Готово: вы будете получать наши новости и предложения. Отключить их можно через /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    Ваши данные у нас:
    • имя, имя пользователя и язык в Telegram — чтобы общаться с вами;
    • заказы, адреса и платежи — для доставки и бухгалтерии;
    • сообщения, которые вы отправляете этому боту, — чтобы отвечать вам;
    • ваши настройки ниже — как подтверждение вашего согласия.
    Мы никогда не продаём ваши данные.

    Принятая версия политики: { $version }
    Новости и предложения: { $marketing }
privacy-none = пока нет
privacy-on = включены
privacy-off = отключены
privacy-button-choices = Изменить мой выбор
privacy-button-export = 📦 Выгрузить мои данные
privacy-button-erase = 🗑 Удалить мои данные
privacy-erase-confirm =
    Удалить все ваши данные? Профиль, адреса, сообщения и настройки будут удалены, и мы больше не будем вам писать. Заказы останутся в нашем учёте без вашего имени, как требует закон. Это действие нельзя отменить.
privacy-erase-yes = Да, удалить всё
privacy-erase-no = Нет, оставить
privacy-erased = Ваши данные удалены. Это последнее сообщение от нас. До свидания!
privacy-kept = Ничего не удалено.
privacy-export-preparing = Готовим ваши данные. Файл придёт сюда через несколько минут.
privacy-export-caption = Ваши данные: заказов — { $orders }, сообщений — { $messages }, записей активности — { $events }, записей согласий — { $consents }, рефералов — { $referrals }, меток — { $tags }. В приложенном файле всё это в формате JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = Поговорить с человеком
faq-button-helpful = 👍 Помогло
faq-button-not-helpful = 👎 Не помогло
faq-thanks = Спасибо, что сообщили!
support-button-agent = 🙋 Поговорить с человеком
support-did-you-mean = Кажется, я не совсем вас понимаю. Может быть, вы имели в виду что-то из этого?
support-offer-agent = Жаль, что это не помогло. Хотите поговорить с человеком?
support-no-agents = Извините, сейчас никто из нашей команды не может ответить на вопросы здесь. Попробуйте /help.
support-media-needs-ticket = Чтобы отправить нам фото или файл, сначала нажмите /agent, а затем отправьте его.
support-ticket-opened = Ваш вопрос передан нашей команде (обращение #{ $ticket }). Сотрудник ответит вам прямо здесь. Всё, что вы отправите теперь, тоже попадёт к нему.
support-ticket-continues = Ваша переписка #{ $ticket } уже у нашей команды; всё, что вы отправляете, попадает к ней.
support-outside-hours = Сейчас нашей команды нет на месте, она вернётся в { $time } ({ $zone }). Тогда мы и ответим.
support-resolved = Ваш вопрос #{ $ticket } отмечен как решённый. Насколько вы довольны нашей помощью?
support-nps-question = Насколько вероятно, что вы порекомендуете нас другу? (0 = совсем маловероятно, 10 = очень вероятно)
support-rating-thanks = Спасибо за ваш отзыв!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 Обращение #{ $ticket } · { $topic } · приоритет { $priority }
    Покупатель: { $name } ({ $username }), язык { $language }
support-no-orders = Заказов пока нет.
support-agent-help = Чтобы ответить покупателю, пишите здесь. Сообщения, начинающиеся с // (или /note), — это внутренние заметки. Команды: /resolve, /close, /assign, /priority low|normal|high, /transfer ГРУППА, /canned НАЗВАНИЕ, /tr ТЕКСТ (отправить с переводом).
support-ticket-not-active = Обращение #{ $ticket } уже не открыто: покупателю ничего не отправлено.
support-resolved-by = ✅ Решено, сотрудник: { $agent }. Покупателя попросили оценить помощь.
support-closed-by = Закрыто, сотрудник: { $agent }.
support-assigned = Назначено: { $agent }.
support-priority-usage = Используйте /priority low, /priority normal или /priority high.
support-priority-set = Приоритет изменён на { $priority }; сроки пересчитаны.
support-transfer-usage = Используйте /transfer ГРУППА, указав одну из групп: { $groups }
support-transferred = ➡️ Передано в группу { $group }.
support-history = Переписка до этого момента (из группы { $group }):
support-canned-unknown = Шаблона ответа с названием «{ $name }» нет.
support-unassigned = пока никто
support-target-first-response = первый ответ
support-target-resolution = решение
support-sla-warning = ⏰ Обращение #{ $ticket } ({ $assignee }): срок «{ $target }» истекает через { $minutes } мин.
support-sla-breach = 🚨 SLA нарушен: обращение #{ $ticket } в группе { $group } не уложилось в срок «{ $target }» (ответственный: { $assignee }).
support-translation-unavailable = 🌐 (перевод недоступен)
support-translation-off = Перевод для этой группы не настроен: попросите администратора настроить переводчик и язык translate_to группы.
anomaly-header = 📉 Эта неделя по сравнению с прошлой:
anomaly-chat-activity = { $chat }: активность упала на { $drop }% ({ $baseline } → { $current } обновлений)
anomaly-chat-joins = { $chat }: вступлений меньше на { $drop }% ({ $baseline } → { $current })
anomaly-paid-orders = Оплаченных заказов меньше на { $drop }% ({ $baseline } → { $current })
anomaly-conversion = Конверсия (оплаченные заказы на начатый диалог) упала на { $drop }%: { $baseline } → { $current }
anomaly-failed-sends = За последние сутки не удалось отправить { $failed } сообщений ({ $share } отправок). Проверьте доступ бота и неотправленные сообщения.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = неактивен { $days } дн.
purge-reason-flagged = отмечен модерацией (предупреждения или мьют)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = Участник
tier-name-silver = Серебро
tier-name-gold = Золото
tier-name-black = Black
tier-up = 🎉 Поздравляем! Теперь ваш уровень — { $tier }. Ваши привилегии:
tier-down = Ваш уровень участия теперь — { $tier }. Спасибо за покупки.
tier-benefit-discount = Скидка { $percent }% на каждый заказ
tier-benefit-free-shipping = Бесплатная доставка
tier-benefit-early-access = Доступ к флеш-распродажам на { $minutes } мин. раньше остальных
join-declined-tier = Извините, { $chat } — только для участников уровня { $tier } и выше, поэтому мы пока не можем вас добавить. Делайте покупки, чтобы достичь уровня { $tier }!
purge-reason-below-tier = ниже уровня участия, нужного для чата, более { $days } дн.

# Бонусные баллы (/checkin, /points, награды)
cmd-checkin = Ежедневная отметка за баллы
cmd-points = Ваши баллы и награды
points-checkin = ✅ Отметка принята! +{ $points } баллов (день { $streak } подряд). Ваш баланс: { $balance } баллов.
points-checkin-already = Вы уже отметились сегодня (день { $streak } подряд). Возвращайтесь завтра! Ваш баланс: { $balance } баллов.
points-balance = ⭐ У вас { $balance } баллов. Получайте больше за покупки и ежедневный /checkin.
points-balance-rewards = ⭐ У вас { $balance } баллов. Нажмите на награду, чтобы получить её:
points-reward-button = { $benefit } за { $points } баллов
points-redeemed = 🎉 Готово! Списано { $points } баллов. Ваш код { $code } уже в корзине: отправьте /shop, чтобы им воспользоваться. Осталось баллов: { $balance }.
points-not-enough = К сожалению, для этой награды нужно { $needed } баллов, а у вас { $balance }. Продолжайте покупать и отмечаться!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = Поделиться номером телефона
settings-share-phone = 📱 Поделиться моим номером
phone-ask = Нажмите кнопку ниже, чтобы поделиться номером телефона. Если вы уже покупали у нас, мы привяжем прежние покупки к этому аккаунту.
phone-button = 📱 Поделиться моим номером
phone-verified = Спасибо! Ваш номер телефона подтверждён.
phone-not-yours = Это контакт другого человека. Пожалуйста, поделитесь своим номером с помощью кнопки ниже.
phone-invalid = Извините, не удалось распознать этот номер. Попробуйте кнопку ещё раз.
import-linked = С возвращением! Ваши прежние покупки у нас теперь привязаны к этому аккаунту.
claim-unknown = Извините, эта ссылка недействительна. Откройте полную ссылку из письма.
claim-used = Эта ссылка уже использована. Если это ошибка, отправьте /agent.
claim-already-yours = Эта ссылка уже привязана к вашему аккаунту. Больше ничего делать не нужно!
cmd-birthday = Укажите день рождения и получите подарок
birthday-saved = 🎂 Спасибо! Мы сохранили ваш день рождения: { $date }. Отправьте /birthday clear, чтобы удалить его.
birthday-cleared = Ваш день рождения удалён.
birthday-current = Ваш день рождения сохранён как { $date }. Отправьте /birthday с новой датой, чтобы изменить его, или /birthday clear, чтобы удалить.
birthday-usage = Расскажите нам о своём дне рождения, и мы поздравим вас: отправьте /birthday с днём и месяцем, например /birthday 14.03
birthday-invalid = Извините, не удалось прочитать дату. Отправьте день и месяц, например /birthday 14.03 или /birthday 03-14.
automation-welcome-1 = Здравствуйте, { $name }, добро пожаловать! Нажмите /shop, чтобы увидеть новинки, и пишите /agent, если нужна помощь.
automation-welcome-2 = { $name }, нашли что-нибудь по душе? Наши новинки ждут вас в /shop.
automation-abandoned-cart = { $name }, в вашей корзине остались товары. Они всё ещё ждут вас!
automation-cart-button = 🛒 Открыть корзину
automation-review-request = { $name }, как вам заказ №{ $order }? Ответьте на это сообщение и расскажите нам; мы читаем каждый ответ.
automation-birthday = 🎂 С днём рождения, { $name }! Спасибо, что вы с нами.
automation-win-back = Мы скучаем, { $name }! Скидка { $percent }% на следующий заказ по коду { $code }, действует { $days } дн.
automation-win-back-plain = Мы скучаем, { $name }! Загляните в /shop за новинками.
automation-win-back-code = Ваш код: { $code }
automation-restock = Хорошие новости, { $name }: { $product } снова в наличии!
automation-restock-button = Открыть товар
automation-notify-me = 🔔 Сообщить о поступлении
automation-notify-saved = Мы сообщим вам, когда товар снова появится.
automation-notify-in-stock = Хорошие новости: товар снова в наличии. Откройте его, чтобы купить.

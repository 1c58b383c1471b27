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
checkout-fix = Пожалуйста, измените корзину и оформите заказ ещё раз.
checkout-created = Заказ #{ $order } зарезервирован для вас на { $minutes } мин. Оплатите его по счёту ниже.
invoice-title = Заказ #{ $order }
invoice-description = Товаров из нашего магазина: { $count }
invoice-total = Итого
invoice-shipping = Доставка
precheckout-expired = Срок действия этого заказа истёк. Пожалуйста, оформите заказ заново.
precheckout-mismatch = Этот счёт больше не соответствует вашему заказу. Пожалуйста, оформите заказ заново.
order-paid = Спасибо! Мы получили вашу оплату { $total } за заказ #{ $order }. Сообщим вам, когда он будет отправлен.
order-paid-late = Мы получили оплату за заказ #{ $order }, но срок действия заказа к тому времени уже истёк. Наша команда вскоре вернёт вам деньги или свяжется с вами.
order-shipped = Хорошие новости: заказ #{ $order } уже в пути, служба доставки: { $carrier }. Трек-номер: { $tracking }
order-delivered = Заказ #{ $order } доставлен. Пусть покупка радует вас, и спасибо, что выбрали нас!
order-cancelled = Заказ #{ $order } отменён.
order-expired = Срок действия заказа #{ $order } истёк, так как он не был оплачен вовремя. Товары снова доступны для покупки: отправьте /shop, чтобы заказать заново.
order-refunded = Деньги за заказ #{ $order } возвращены.
orders-none = У вас пока нет заказов. Отправьте /shop, чтобы перейти к покупкам.
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

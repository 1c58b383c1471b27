# Textos del bot de groupcart para los clientes, en español (neutro latinoamericano).
# Cada mensaje de en/bot.ftl debe existir aquí con las mismas variables (una prueba lo verifica).

language-name = Español

choose-language = ¿Qué idioma prefieres?
language-set = ¡Listo! Te hablaré en español.

privacy-notice =
    ¡Hola, { $name }! Te damos la bienvenida.

    Antes de empezar, unas palabras sobre tus datos. Para atenderte guardamos tu nombre, tu nombre de usuario y tu idioma de Telegram, lo que pides y los mensajes que envías a este bot. Nunca vendemos tus datos. Puedes verlos, exportarlos o eliminarlos cuando quieras con /privacy.

    Elige qué podemos enviarte:
    • Mensajes de servicio: avisos sobre tus pedidos, pagos y envíos, y respuestas a tus preguntas.
    • Noticias y ofertas: cupones, productos nuevos y promociones. Puedes desactivarlas cuando quieras.

    (Versión { $version } de la política de privacidad)
consent-accept-all = ✅ Mensajes de servicio y ofertas
consent-accept-service = ✅ Solo mensajes de servicio
consent-decline = ✖ Nada por ahora
consent-saved-all = ¡Gracias! Recibirás mensajes de servicio y también nuestras noticias y ofertas. Puedes cambiarlo cuando quieras con /privacy.
consent-saved-service = ¡Gracias! Solo recibirás mensajes de servicio, sin ofertas. Puedes cambiarlo cuando quieras con /privacy.
consent-saved-none = Entendido: no te enviaremos mensajes por iniciativa propia. Aun así, puedes escribirnos aquí y cambiar esto cuando quieras con /privacy.

welcome-back = ¡Qué gusto verte de nuevo, { $name }! Envía /help para ver lo que puedo hacer.
help =
    Esto es lo que puedo hacer:
    /shop: ver la tienda
    /cart: tu carrito
    /orders: tus pedidos
    /coupons: tus cupones
    /invite: invita a tus amigos y gana premios
    /start: empezar de nuevo
    /language: cambiar el idioma
    /privacy: tus datos y tus opciones
    /help: esta lista
not-understood = Lo siento, no te entendí. Envía /help para ver lo que puedo hacer.
unknown-command = No conozco ese comando. Envía /help para ver lo que puedo hacer.
button-expired = Este botón ya no es válido.
something-went-wrong = Lo sentimos, algo salió mal de nuestro lado. Inténtalo de nuevo en un momento.

cmd-start = Empezar de nuevo
cmd-help = Qué puede hacer este bot
cmd-language = Cambiar el idioma
cmd-privacy = Tus datos y tus opciones

## Tienda

cmd-shop = Ver la tienda
cmd-cart = Tu carrito
cmd-orders = Tus pedidos
shop-empty = Por ahora no hay productos a la venta en la tienda. ¡Vuelve pronto!
shop-choose-category = ¿Qué estás buscando?
shop-category-products = { $category }: página { $page } de { $pages }
shop-all-products = Todos los productos: página { $page } de { $pages }
shop-previous = « Anterior
shop-next = Siguiente »
shop-back = ↩ Categorías
shop-view-cart = 🛒 Carrito ({ $count })
shop-product-price = Precio: { $price }
shop-product-was = (antes { $price })
shop-in-stock = Disponible
shop-also-like = También te puede gustar:
shop-few-left = Solo hay { $count } en existencia
shop-sold-out = Agotado
shop-variant-sold-out = { $variant } (agotado)
shop-not-available = Este producto ya no está disponible.
shop-added = Se agregó a tu carrito: { $item }
shop-no-more-stock = Lo sentimos, ya no quedan unidades de { $item }.
cart-empty = Tu carrito está vacío. Envía /shop para ver la tienda.
cart-title = Tu carrito:
cart-line = { $quantity } × { $item }: { $total }
cart-total = Total: { $total }
cart-checkout = ✅ Finalizar compra
cart-remove = ✕
checkout-problems = Algunos productos cambiaron desde que los agregaste, así que no creamos tu pedido:
checkout-unavailable = • { $item } ya no está disponible
checkout-short = • { $item }: solo hay { $available } en existencia (tienes { $quantity } en el carrito)
checkout-price-changed = • { $item }: el precio ahora es { $now } (antes { $was }). Vuelve a pagar para aceptarlo.
checkout-fix = Actualiza tu carrito y vuelve a finalizar la compra.
checkout-created = El pedido #{ $order } está reservado para ti durante { $minutes } minutos. Paga con la factura de abajo.
invoice-title = Pedido #{ $order }
invoice-description = Artículos de nuestra tienda: { $count }
invoice-total = Total
invoice-shipping = Envío
precheckout-expired = Este pedido expiró. Por favor, haz el pedido de nuevo.
precheckout-mismatch = Esta factura ya no coincide con tu pedido. Por favor, haz el pedido de nuevo.
precheckout-shipping-changed = Esta opción de envío ya no está disponible. Elige otra, por favor.
shipping-not-available = Lo sentimos, todavía no enviamos a { $country }.
order-paid = ¡Gracias! Recibimos tu pago de { $total } por el pedido #{ $order }. Te avisaremos cuando lo enviemos.
order-paid-late = Recibimos tu pago del pedido #{ $order }, pero el pedido ya había expirado. Nuestro equipo te hará el reembolso o se pondrá en contacto contigo en breve.
order-shipped = ¡Buenas noticias! Tu pedido #{ $order } va en camino con { $carrier }. Número de seguimiento: { $tracking }
order-delivered = Tu pedido #{ $order } fue entregado. ¡Que lo disfrutes y gracias por comprar con nosotros!
order-cancelled = El pedido #{ $order } fue cancelado.
order-expired = El pedido #{ $order } expiró porque no se pagó a tiempo. Los productos volvieron a estar disponibles: envía /shop para pedir de nuevo.
order-refunded = El pedido #{ $order } fue reembolsado.
orders-none = Todavía no tienes pedidos. Envía /shop para ver la tienda.
order-lookup-unknown = No encontré el pedido #{ $order } entre tus pedidos. Envía /orders para verlos.
order-words = pedido, orden, paquete, envío, envio, seguimiento, rastreo, entrega
orders-title = Tus pedidos recientes:
orders-line = #{ $order } · { $date } · { $total } · { $status }
order-status-pending_payment = pendiente de pago
order-status-paid = pagado
order-status-shipped = enviado
order-status-delivered = entregado
order-status-completed = completado
order-status-cancelled = cancelado
order-status-refunded = reembolsado
order-details = Pedido #{ $order }: { $status }
order-timeline-line = { $date }: { $status }
order-tracking = Enviado por { $carrier }, número de seguimiento { $tracking }

## Chat del equipo (en el idioma predeterminado del bot)

staff-new-order = 🛒 Nuevo pedido pagado #{ $order }: { $total } de { $customer }
staff-ship-to = Enviar a: { $address }
staff-button-ship = 🚚 Enviar
staff-button-cancel = ✖ Cancelar
staff-ship-hint = Envía /ship { $order } TRANSPORTISTA NÚMERO_DE_SEGUIMIENTO
staff-shipped = El pedido #{ $order } quedó marcado como enviado; el cliente ya tiene el número de seguimiento.
staff-delivered = El pedido #{ $order } quedó marcado como entregado.
staff-cancelled = El pedido #{ $order } quedó cancelado y sus unidades volvieron al inventario. Reembolsa cualquier pago recibido.
staff-no-order = No existe el pedido #{ $order }.
staff-refused = El pedido #{ $order } no se modificó: { $reason }
staff-usage = Usa /ship PEDIDO TRANSPORTISTA NÚMERO_DE_SEGUIMIENTO, /delivered PEDIDO, /cancel PEDIDO o /paid PEDIDO.
staff-stuck-parcel = ⚠️ El pedido #{ $order } se envió con { $carrier } ({ $tracking }), pero lleva { $days } días sin novedades. Revisa el paquete.
shop-pay-manually = 🏦 Transferencia bancaria o pago contra entrega
checkout-manual-offer = ¿Prefieres pagar de otra forma?
order-manual-chosen = Guardamos tu pedido #{ $order } ({ $total }) durante { $days } días. Lo confirmaremos en cuanto llegue tu pago.
staff-manual-order = 🏦 El pedido #{ $order }: { $total } de { $customer } se pagará a mano. Confírmalo cuando llegue el dinero.
staff-button-confirm = ✅ Pago recibido
staff-payment-confirmed = El pago del pedido #{ $order } está confirmado; ya avisamos al cliente.

## Coupons

cmd-coupons = Tus cupones
coupon-usage = Para usar un código, envía /coupon seguido del código, por ejemplo: /coupon WELCOME10
coupon-current = Tu carrito tiene el código { $code }. Envía /coupon off para quitarlo.
coupon-removed = Quitamos el código de tu carrito.
coupon-saved = El código { $code } está guardado: se descontará de tu pedido al pagar.
coupon-applied = El código { $code } está en tu carrito: { $saving } de descuento.
coupon-unknown = Lo sentimos, el código { $code } no existe. Revísalo e inténtalo de nuevo.
coupon-not-started = El código { $code } se puede usar a partir del { $date }.
coupon-expired = Lo sentimos, el código { $code } ha caducado.
coupon-not-for-you = Lo sentimos, el código { $code } no está disponible para tu cuenta.
coupon-currency = El código { $code } no se puede usar en la moneda de esta tienda.
coupon-used-up = Lo sentimos, el código { $code } se ha agotado.
coupon-customer-limit = Ya usaste el código { $code } todas las veces permitidas.
coupon-nothing-eligible = El código { $code } no se aplica a nada de tu carrito.
coupon-minimum-spend = Añade { $missing } más en productos válidos para usar el código { $code }.
coupon-minimum-quantity = Añade { $missing } productos válidos más para usar el código { $code }.
checkout-promotion-ended = • Una promoción ({ $code }) acaba de terminar. Revisa el nuevo total y vuelve a pagar.
invoice-discount = Descuento
cart-discount = 🏷 { $name }: { $amount }
coupons-title = Tus cupones:
coupons-none = Ahora no tienes cupones. ¡Sigue nuestro canal para conseguir nuevos!
coupons-line = 🎟 { $code }: { $name }, { $benefit }
coupons-automatic = 🏷 { $name }: { $benefit } (se aplica automáticamente)
coupons-min-spend = , desde { $amount }
coupons-until = , hasta el { $date }
benefit-percent = { $percent } % de descuento
benefit-fixed = { $amount } de descuento
benefit-free-shipping = envío gratis
benefit-buy-get-free = compra { $buy } y llévate { $get } gratis
benefit-buy-get-off = compra { $buy } y llévate { $get } con { $percent } % de descuento

## Community

join-check-button = ¡Hola, { $name }! Para unirte a { $chat }, toca el botón de abajo en menos de 4 minutos.
join-check-button-label = ✅ No soy un robot
join-check-question = ¡Hola, { $name }! Para unirte a { $chat }, responde esta pregunta en menos de 4 minutos:
join-check-done = Gracias, recibimos tu respuesta para { $chat }.
join-check-closed = Esta solicitud para unirte ya no está abierta.
join-approved = ¡Bienvenido/a a { $chat }! 🎉
join-coupon = Aquí tienes tu regalo de bienvenida: { $benefit } con el código { $code }. Ya está en tu carrito: envía /shop para usarlo.
join-declined = Lo sentimos, la respuesta no es correcta, así que no pudimos añadirte a { $chat }. Puedes volver a solicitarlo.
join-timed-out = Se acabó el tiempo para unirte a { $chat }. Puedes volver a solicitarlo cuando quieras.
join-review = ¡Hola { $name }! Nuestro equipo revisará tu solicitud para unirte a { $chat }. Espera su decisión.
join-declined-staff = Lo sentimos, tu solicitud para unirte a { $chat } no fue aprobada.
join-review-staff = 🙋 { $person } pide unirse a { $chat }.
join-review-staff-member = 🙋 { $person } se unió a { $chat } y no puede escribir hasta que decidas.
join-review-approve = ✅ Aprobar
join-review-decline = ❌ Rechazar
join-review-approved = ✅ { $person } en { $chat }: aprobado por { $staff }.
join-review-declined = ❌ { $person } en { $chat }: rechazado por { $staff }.
join-review-decided = Esto ya se decidió.
group-check-button = ¡Bienvenido, { $name }! Pulsa el botón de abajo en { $minutes } minutos para poder escribir aquí.
group-check-question = ¡Bienvenido, { $name }! Responde en { $minutes } minutos para poder escribir aquí:
group-check-not-yours = Esta verificación es para otra persona.
group-check-closed = Esta verificación está cerrada.

## Flash sales
flash-sale-title = ⚡ Oferta relámpago: { $product }
flash-sale-price = Precio de oferta: { $price }
flash-sale-price-was = Precio de oferta: { $price } en lugar de { $was }
flash-sale-limit = Límite: { $count } por cliente
flash-sale-line-upcoming = ⏰ Empieza el { $start } · solo { $units } unidades
flash-sale-line-running = 🔥 En marcha: quedan { $left } de { $units } · termina el { $end }
flash-sale-line-sold-out = 🚫 Agotado
flash-sale-line-ended = ⌛ Esta oferta relámpago ha terminado.
flash-sale-line-cancelled = Esta oferta relámpago se ha cancelado.
flash-sale-remind-button = 🔔 Avísame
flash-sale-early-access = ⭐ Acceso anticipado: tu nivel de membresía te permite comprar ya, antes de que la oferta se abra a todos.
flash-sale-open-button = 🛒 Comprar en el bot
flash-sale-buy-button = 🛒 Comprar ya · { $price }
flash-sale-started = ⚡ ¡Ha empezado la oferta relámpago que te interesaba!
flash-sale-reminder-set = 🔔 ¡Listo! Te escribiremos cuando empiece la oferta.
flash-sale-reminder-already = Ya estás en la lista: te escribiremos cuando empiece la oferta.
flash-sale-start-bot = Inicia primero el bot para que pueda escribirte y vuelve a pulsar “Avísame”.
flash-sale-on-now = La oferta ya está en marcha: pulsa “Comprar ya” en el bot.
flash-sale-unknown = Lo sentimos, esta oferta relámpago no existe.
flash-sale-cancelled = Lo sentimos, esta oferta relámpago se ha cancelado.
flash-sale-not-started = ⏰ ¡Todavía no! La oferta empieza el { $start }.
flash-sale-ended = ⌛ Lo sentimos, esta oferta relámpago ha terminado.
flash-sale-sold-out = 😔 ¡Agotado! Las unidades de pedidos sin pagar vuelven tras { $minutes } minutos: inténtalo más tarde.
flash-sale-limit-reached = Ya tienes { $count } de esta oferta, el máximo por cliente.
flash-sale-got-it = 🎉 ¡Conseguiste una! Paga la factura en { $minutes } minutos para quedártela.

## Giveaways

giveaway-announcement =
    🎁 Sorteo: { $prize }
    { $winners } ganador(es), sorteo el { $ends }. ¡Toca el botón para participar!
    Sorteo justo: el SHA-256 de nuestra semilla secreta es { $commitment }; la semilla se publica con el resultado.
giveaway-join = 🎁 Participar
giveaway-entered = ¡Ya participas! Tu número es el #{ $number }. Abre un chat conmigo para que pueda avisarte si ganas.
giveaway-already-in = Ya participas, con el número #{ $number }.
giveaway-closed = Este sorteo ha terminado.
giveaway-won = 🎉 ¡Ganaste el sorteo: { $prize }!
giveaway-prize-code = Tu código de premio es { $code }; ya está en tu carrito.
giveaway-no-entries = nadie participó
giveaway-result =
    🎁 Resultado del sorteo: { $prize }
    Ganadores: { $winners }
    Participantes: { $entries }
    Semilla: { $seed } (su SHA-256 es { $commitment }, como se anunció). El número n obtiene SHA-256("semilla:n"); ganan los más bajos.
giveaway-requires = Para ganar, sé miembro de { $chats } en el sorteo.
giveaway-skipped = Omitidos (no eran miembros de los chats requeridos en el sorteo): { $entries }

## Referrals
cmd-invite = Invita a tus amigos
invite =
    🎁 ¡Invita a tus amigos y gana recompensas!
    Tu enlace personal: { $link }

    Inicios: { $starts } · Clientes nuevos: { $joins } · Primeros pedidos: { $orders } · Recompensas: { $rewards }

    Recibes una recompensa cuando un amigo nuevo aquí paga su primer pedido.
invite-share = 📤 Compartir
invite-share-text = ¡Ven a comprar conmigo aquí!
referral-self = Ese es tu propio enlace de invitación: compártelo con tus amigos para ganar recompensas.
referral-welcome = 🎁 ¡Bienvenido! Un amigo te invitó. Tu código de bienvenida { $code } ya está en tu carrito.
referral-rewarded = 🎉 Un amigo que invitaste acaba de pagar su primer pedido. Tu código de recompensa: { $code }

## Group-buys
group-buy-offer =
    👥 Compra en grupo: { $product }
    Únete con { $size } personas y cada una paga { $price } en lugar de { $was }.
    Un equipo tiene { $hours } h para completarse; si no, se reembolsa a todos.
group-buy-open-button = 👥 Crear un equipo · { $price }
group-buy-team = 👥 Compra en grupo: { $product } a { $price } en lugar de { $was }
group-buy-progress = { $members }/{ $size } unidos · { $paid } pagados · quedan { $hours } h
group-buy-line-full = ✅ El equipo está completo: los { $size } pedidos siguen adelante.
group-buy-line-failed = ⌛ Este equipo se cerró: no se unieron suficientes personas a tiempo.
group-buy-join-button = 👥 Unirme al equipo
group-buy-join-price-button = 👥 Unirme · { $price }
group-buy-share-button = 📤 Invitar amigos
group-buy-share-text = ¡Únete a mi equipo de compra en grupo y todos pagamos el precio de grupo!
group-buy-unknown = Lo sentimos, esta compra en grupo no existe.
group-buy-offer-ended = Lo sentimos, esta oferta de compra en grupo terminó.
group-buy-no-stock = 😔 No queda stock suficiente para un nuevo equipo. Únete a uno abierto o inténtalo más tarde.
group-buy-team-closed = Lo sentimos, este equipo está cerrado.
group-buy-no-place = Lo sentimos, todas las plazas de este equipo están ocupadas. ¡Crea tu propio equipo!
group-buy-already-member = Ya estás en este equipo.
group-buy-placed = 👥 Tu plaza está reservada: paga la factura en { $minutes } minutos para conservarla.
group-buy-complete = 🎉 ¡Tu equipo está completo! El pedido { $order } sigue adelante al precio de grupo.
group-buy-failed = ⌛ Tu equipo no se completó a tiempo. El pedido { $order } se cerró y cualquier pago se reembolsa.
group-buy-offer-reserve =
    👥 Compra en grupo: { $product }
    Únete con { $size } personas y cada una paga { $price } en lugar de { $was }.
    Reserva tu plaza ahora y paga cuando el equipo esté completo; un equipo tiene { $hours } h para completarse.
group-buy-reserved = 👥 Tu plaza está reservada. Enviaremos la factura cuando el equipo esté completo.
group-buy-complete-pay = 🎉 ¡Tu equipo está completo! Paga { $price } por el pedido { $order } en { $minutes } minutos para conservar tu plaza.
group-buy-full-price = ⌛ Tu equipo no se completó a tiempo. Aún puedes tener el pedido { $order } al precio normal, { $price }: paga en { $minutes } minutos o déjalo caducar.

## Moderation
moderation-rule-words = una palabra que no se permite aquí
moderation-rule-links = aquí no se permiten enlaces a otros sitios
moderation-rule-flood = demasiados mensajes
moderation-warned = ⚠️ { $name }, aviso { $count } de { $limit }: { $reason }.
moderation-muted = 🔇 { $name } está silenciado durante { $hours } h: { $reason }.
moderation-banned = ⛔ { $name } fue expulsado del grupo: { $reason }.
moderation-rule-forwards = aquí no se permiten reenvíos de otros canales
moderation-rule-media = aquí no se permite este tipo de archivo
moderation-rule-bot_mentions = aquí no se permite mencionar otros bots
moderation-rule-staff = por un moderador
moderation-muted-minutes = 🔇 { $name } está silenciado durante { $minutes } min: { $reason }.
moderation-unmuted = 🔊 { $name } puede volver a escribir.
moderation-unbanned = ✅ { $name } puede volver a unirse al grupo.
moderation-command-usage = Responde a un mensaje con /warn, /mute 30m (o 1h, 1d) o /ban, con un motivo si quieres; /unmute y /unban también aceptan un id de usuario.
appeal-usage = Escribe tu apelación después del comando, por ejemplo: /appeal Solo compartí el enlace de seguimiento de mi pedido.
appeal-nothing = No estás silenciado ni expulsado en ninguno de nuestros grupos.
appeal-unavailable = Aquí no se pueden enviar apelaciones; escribe a los administradores del grupo.
appeal-sent = Tu apelación sobre { $chat } se envió al equipo. Recibirás la respuesta aquí.
appeal-staff = 📨 Apelación de { $name } (id { $user }) en { $chat } ({ $reason }): { $text }
appeal-button-lift = ✅ Levantar
appeal-button-keep = ❌ Mantener
appeal-reason = apelación aceptada
appeal-decided = Esta apelación ya se decidió.
appeal-lifted-staff = ✅ Apelación de { $name } (id { $user }) en { $chat }: levantada por { $staff }.
appeal-kept-staff = ❌ Apelación de { $name } (id { $user }) en { $chat }: mantenida por { $staff }.
appeal-lifted = Tu apelación sobre { $chat } fue aceptada: la restricción se levantó.
appeal-kept = Tu apelación sobre { $chat } fue revisada: la restricción se mantiene.
raid-alert = 🚨 Ola de ingresos en “{ $chat }”: { $joins } ingresos en { $seconds } s. Quienes pidan unirse tendrán una comprobación más estricta durante { $minutes } min.
staff-chat-rights = ⚠️ El bot necesita más permisos en “{ $chat }”: { $rights }. Abre la configuración de administradores del chat para corregirlo.
right-admin = hazlo administrador
right-invite = permítele invitar usuarios (enlaces de invitación y solicitudes)
right-delete = permítele eliminar mensajes (moderación)
right-restrict = permítele bloquear usuarios (silenciar y expulsar)

## Settings
cmd-settings = Tus ajustes
settings-marketing-on = Novedades y ofertas: activadas. Puedes desactivarlas aquí cuando quieras.
settings-marketing-off = Novedades y ofertas: desactivadas. Seguirás recibiendo los avisos de tus pedidos y envíos.
settings-stop-marketing = Dejar de recibir novedades y ofertas
settings-allow-marketing = Quiero recibir novedades y ofertas
marketing-stopped = Listo: no te enviaremos más novedades ni ofertas. Seguirás recibiendo los avisos de tus pedidos y envíos.
marketing-allowed = Listo: recibirás nuestras novedades y ofertas. Desactívalas cuando quieras con /settings.

## Privacy: what is stored, export and erasure
privacy-overview =
    Tus datos con nosotros:
    • tu nombre, usuario e idioma de Telegram, para hablar contigo;
    • tus pedidos, direcciones y pagos, para entregarlos y por contabilidad;
    • los mensajes que envías a este bot, para responderte;
    • tus preferencias de abajo, como prueba de lo que aceptaste.
    Nunca vendemos tus datos.

    Versión de la política que aceptaste: { $version }
    Novedades y ofertas: { $marketing }
privacy-none = ninguna todavía
privacy-on = activadas
privacy-off = desactivadas
privacy-button-choices = Cambiar mis preferencias
privacy-button-export = 📦 Exportar mis datos
privacy-button-erase = 🗑 Borrar mis datos
privacy-erase-confirm =
    ¿Borrar todos tus datos? Se borrarán tu perfil, direcciones, mensajes y preferencias, y no volveremos a escribirte. Los pedidos quedan en nuestras cuentas sin tu nombre, como exige la ley contable. No se puede deshacer.
privacy-erase-yes = Sí, borrar todo
privacy-erase-no = No, conservarlos
privacy-erased = Tus datos han sido borrados. Este es el último mensaje que recibes de nosotros. ¡Adiós!
privacy-kept = No se borró nada.
privacy-export-preparing = Preparando tus datos. El archivo llegará aquí en unos minutos.
privacy-export-caption = Tus datos: { $orders } pedidos, { $messages } mensajes, { $events } registros de actividad, { $consents } registros de consentimiento, { $referrals } referidos, { $tags } etiquetas. El archivo adjunto lo contiene todo en JSON.

## Customer service: FAQ answers, talking to a person, satisfaction
cmd-agent = Hablar con una persona
faq-button-helpful = 👍 Me ayudó
faq-button-not-helpful = 👎 No me ayudó
faq-thanks = ¡Gracias por contárnoslo!
support-button-agent = 🙋 Hablar con una persona
support-did-you-mean = No estoy seguro de haberte entendido. ¿Querías decir alguna de estas?
support-offer-agent = Lamento que no te haya ayudado. ¿Quieres hablar con una persona?
support-no-agents = Lo siento, ahora nadie de nuestro equipo puede atender preguntas aquí. Prueba con /help.
support-media-needs-ticket = Para enviarnos una foto o un archivo, toca primero /agent y luego envíalo.
support-ticket-opened = Pasé tu pregunta a nuestro equipo (caso #{ $ticket }). Una persona te responderá aquí mismo. Todo lo que envíes ahora también les llega.
support-ticket-continues = Nuestro equipo ya tiene tu conversación #{ $ticket }; lo que envíes les llega.
support-outside-hours = Nuestro equipo no está ahora y vuelve el { $time } ({ $zone }). Te responderemos entonces.
support-resolved = Tu consulta #{ $ticket } quedó resuelta. ¿Qué tan satisfecho estás con nuestra ayuda?
support-nps-question = ¿Qué probabilidad hay de que nos recomiendes a un amigo? (0 = ninguna, 10 = muy probable)
support-rating-thanks = ¡Gracias por tu opinión!

## Customer service: the agents' forum topics
support-ticket-summary =
    🎫 Caso #{ $ticket } · { $topic } · prioridad { $priority }
    Cliente: { $name } ({ $username }), idioma { $language }
support-no-orders = Aún no tiene pedidos.
support-agent-help = Responde aquí para contestar al cliente. Los mensajes que empiezan por // (o /note) son notas internas. Comandos: /resolve, /close, /assign, /priority low|normal|high, /transfer GRUPO, /canned NOMBRE, /tr TEXTO (se envía traducido).
support-ticket-not-active = El caso #{ $ticket } ya no está abierto: no se envió nada al cliente.
support-resolved-by = ✅ Resuelto por { $agent }. Se pidió al cliente que valore la ayuda.
support-closed-by = Cerrado por { $agent }.
support-assigned = Asignado a { $agent }.
support-priority-usage = Usa /priority low, /priority normal o /priority high.
support-priority-set = Prioridad cambiada a { $priority }; los plazos se recalcularon.
support-transfer-usage = Usa /transfer GRUPO con uno de: { $groups }
support-transferred = ➡️ Transferido a { $group }.
support-history = Conversación hasta ahora (desde { $group }):
support-canned-unknown = No hay ninguna respuesta rápida llamada «{ $name }».
support-unassigned = nadie aún
support-target-first-response = primera respuesta
support-target-resolution = resolución
support-sla-warning = ⏰ Caso #{ $ticket } ({ $assignee }): el plazo de { $target } vence en { $minutes } min.
support-sla-breach = 🚨 SLA incumplido: el caso #{ $ticket } de { $group } no cumplió el plazo de { $target } (responsable: { $assignee }).
support-translation-unavailable = 🌐 (traducción no disponible)
support-translation-off = La traducción no está configurada para este grupo: pide a un administrador que configure un traductor y el idioma translate_to del grupo.
anomaly-header = 📉 Esta semana comparada con la anterior:
anomaly-chat-activity = { $chat }: actividad { $drop }% menor ({ $baseline } → { $current } actualizaciones)
anomaly-chat-joins = { $chat }: ingresos { $drop }% menores ({ $baseline } → { $current })
anomaly-paid-orders = Pedidos pagados { $drop }% menos ({ $baseline } → { $current })
anomaly-conversion = Conversión (pedidos pagados por chat iniciado) { $drop }% menor: { $baseline } → { $current }
anomaly-failed-sends = { $failed } mensajes no se pudieron enviar en el último día ({ $share } de los envíos). Revisa el acceso del bot y los mensajes fallidos.

# Purging inactive or flagged members (the reason in the moderation log)
purge-reason-inactive = inactivo durante { $days } días
purge-reason-flagged = señalado por moderación (advertencias o silencios)

# Membership tiers (tier changes, benefits, VIP chat gating)
tier-name-member = Miembro
tier-name-silver = Plata
tier-name-gold = Oro
tier-name-black = Negro
tier-up = 🎉 ¡Felicidades! Ahora eres { $tier }. Tus beneficios:
tier-down = Tu nivel de membresía ahora es { $tier }. Gracias por comprar con nosotros.
tier-benefit-discount = { $percent }% de descuento en cada pedido
tier-benefit-free-shipping = Envío gratis
tier-benefit-early-access = Ofertas flash { $minutes } minutos antes que los demás
join-declined-tier = Lo sentimos, { $chat } es para miembros { $tier } o superior, así que aún no pudimos añadirte. ¡Compra con nosotros para llegar a { $tier }!
purge-reason-below-tier = por debajo del nivel de membresía del chat durante más de { $days } días

# Puntos de fidelidad (/checkin, /points, recompensas)
cmd-checkin = Registro diario para ganar puntos
cmd-points = Tus puntos y recompensas
points-checkin = ✅ ¡Registrado! +{ $points } puntos (día { $streak } seguido). Tu saldo: { $balance } puntos.
points-checkin-already = Ya te registraste hoy (día { $streak } seguido). ¡Vuelve mañana! Tu saldo: { $balance } puntos.
points-balance = ⭐ Tienes { $balance } puntos. Gana más comprando y con /checkin cada día.
points-balance-rewards = ⭐ Tienes { $balance } puntos. Toca una recompensa para obtenerla:
points-reward-button = { $benefit } por { $points } puntos
points-redeemed = 🎉 ¡Listo! Usaste { $points } puntos. Tu código { $code } está en tu carrito: envía /shop para usarlo. Puntos restantes: { $balance }.
points-not-enough = Lo sentimos, esa recompensa necesita { $needed } puntos y tienes { $balance }. ¡Sigue comprando y registrándote!

# Imported customers: a verified phone and personal claim links (customer_import_chat).
cmd-phone = Comparte tu número de teléfono
settings-share-phone = 📱 Compartir mi número
phone-ask = Toca el botón de abajo para compartir tu número de teléfono. Si ya nos compraste antes, vincularemos tus compras anteriores a esta cuenta.
phone-button = 📱 Compartir mi número
phone-verified = ¡Gracias! Tu número de teléfono está verificado.
phone-not-yours = Ese es el contacto de otra persona. Comparte tu propio número con el botón de abajo.
phone-invalid = Lo sentimos, no pudimos leer ese número. Vuelve a intentarlo con el botón.
import-linked = ¡Bienvenido de nuevo! Tus compras anteriores con nosotros ya están vinculadas a esta cuenta.
claim-unknown = Lo sentimos, este enlace no es válido. Abre el enlace completo de tu correo.
claim-used = Este enlace ya se usó. Si crees que es un error, envía /agent.
claim-already-yours = Este enlace ya está vinculado a tu cuenta. ¡No tienes que hacer nada más!
cmd-birthday = Comparte tu cumpleaños y recibe un detalle
birthday-saved = 🎂 ¡Gracias! Guardamos tu cumpleaños: { $date }. Envía /birthday clear para borrarlo.
birthday-cleared = Tu cumpleaños se ha borrado.
birthday-current = Tu cumpleaños guardado es el { $date }. Envía /birthday con otra fecha para cambiarlo, o /birthday clear para borrarlo.
birthday-usage = Dinos tu cumpleaños y lo celebraremos contigo: envía /birthday con el día y el mes, por ejemplo /birthday 14.03
birthday-invalid = Lo sentimos, no pudimos leer esa fecha. Envía el día y el mes, por ejemplo /birthday 14.03 o /birthday 03-14.
automation-welcome-1 = ¡Hola { $name }, bienvenido! Toca /shop para ver las novedades y envía /agent cuando necesites ayuda.
automation-welcome-2 = { $name }, ¿encontraste algo que te guste? Nuestros productos más nuevos te esperan en /shop.
automation-abandoned-cart = { $name }, dejaste algo en tu carrito. ¡Todavía te está esperando!
automation-cart-button = 🛒 Ver mi carrito
automation-review-request = { $name }, ¿qué tal tu pedido #{ $order }? Responde a este mensaje y cuéntanos; leemos todas las respuestas.
automation-birthday = 🎂 ¡Feliz cumpleaños, { $name }! Gracias por estar con nosotros.
automation-win-back = ¡Te echamos de menos, { $name }! Tienes un { $percent }% de descuento en tu próximo pedido con el código { $code }, válido durante { $days } días.
automation-win-back-plain = ¡Te echamos de menos, { $name }! Ven a ver las novedades en /shop.
automation-win-back-code = Tu código: { $code }
automation-restock = ¡Buenas noticias, { $name }: { $product } vuelve a estar disponible!
automation-restock-button = Ver el producto
automation-notify-me = 🔔 Avísame
automation-notify-saved = Te avisaremos cuando vuelva a estar disponible.
automation-notify-in-stock = Buenas noticias: vuelve a haber existencias. Abre el producto para comprarlo.

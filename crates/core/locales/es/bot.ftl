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
checkout-fix = Actualiza tu carrito y vuelve a finalizar la compra.
checkout-created = El pedido #{ $order } está reservado para ti durante { $minutes } minutos. Paga con la factura de abajo.
invoice-title = Pedido #{ $order }
invoice-description = Artículos de nuestra tienda: { $count }
invoice-total = Total
invoice-shipping = Envío
precheckout-expired = Este pedido expiró. Por favor, haz el pedido de nuevo.
precheckout-mismatch = Esta factura ya no coincide con tu pedido. Por favor, haz el pedido de nuevo.
order-paid = ¡Gracias! Recibimos tu pago de { $total } por el pedido #{ $order }. Te avisaremos cuando lo enviemos.
order-paid-late = Recibimos tu pago del pedido #{ $order }, pero el pedido ya había expirado. Nuestro equipo te hará el reembolso o se pondrá en contacto contigo en breve.
order-shipped = ¡Buenas noticias! Tu pedido #{ $order } va en camino con { $carrier }. Número de seguimiento: { $tracking }
order-delivered = Tu pedido #{ $order } fue entregado. ¡Que lo disfrutes y gracias por comprar con nosotros!
order-cancelled = El pedido #{ $order } fue cancelado.
order-expired = El pedido #{ $order } expiró porque no se pagó a tiempo. Los productos volvieron a estar disponibles: envía /shop para pedir de nuevo.
order-refunded = El pedido #{ $order } fue reembolsado.
orders-none = Todavía no tienes pedidos. Envía /shop para ver la tienda.
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

//! The words the customer sees, in each supported language, and the one mapping from errors
//! to them. A locale is chosen by the `locale` setting or the browser's language; Arabic is
//! laid out right to left.

use support_core::orders::OrderStatus;
use support_core::TurnError;

/// Every customer-facing string of one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    pub lang: &'static str,
    pub rtl: bool,
    pub title: &'static str,
    pub greeting: &'static str,
    pub open_chat: &'static str,
    pub close_chat: &'static str,
    pub conversation: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub send: &'static str,
    pub stop: &'static str,
    pub retry: &'static str,
    pub new_conversation: &'static str,
    pub confirm_reset: &'static str,
    pub clear: &'static str,
    pub cancel: &'static str,
    pub typing: &'static str,
    pub looking_up: &'static str,
    pub stopped: &'static str,
    pub interrupted: &'static str,
    pub in_memory: &'static str,
    /// Read out before each message, punctuation included ("You:", "Vous :").
    pub you: &'static str,
    pub assistant: &'static str,
    /// "unread" after a count the language treats as singular (`one`), and after any other.
    pub unread_one: &'static str,
    pub unread: &'static str,
    pub order: &'static str,
    pub amount: &'static str,
    pub ordered: &'static str,
    pub estimated_delivery: &'static str,
    pub delivered: &'static str,
    pub refund_requested: &'static str,
    pub refunded: &'static str,
    pub cancelled: &'static str,
    pub processing: &'static str,
    pub shipped: &'static str,
    pub unavailable: &'static str,
    pub busy: &'static str,
    pub network: &'static str,
    pub timeout: &'static str,
    pub cut_off: &'static str,
    pub generic: &'static str,
}

pub const EN: Strings = Strings {
    lang: "en",
    rtl: false,
    title: "Customer support",
    greeting: "Hello! How can I help you today?",
    open_chat: "Open chat",
    close_chat: "Close chat",
    conversation: "Conversation",
    message_label: "Type your message",
    placeholder: "Ask about an order, a refund…",
    send: "Send",
    stop: "Stop",
    retry: "Retry",
    new_conversation: "New conversation",
    confirm_reset: "Start over? This clears the conversation.",
    clear: "Clear",
    cancel: "Cancel",
    typing: "Assistant is typing…",
    looking_up: "Looking up your order…",
    stopped: "Stopped",
    interrupted: "Interrupted",
    in_memory: "This conversation won't be saved in this browser.",
    you: "You:",
    assistant: "Assistant:",
    unread_one: "unread",
    unread: "unread",
    order: "Order",
    amount: "Amount",
    ordered: "Ordered",
    estimated_delivery: "Estimated delivery",
    delivered: "Delivered",
    refund_requested: "Refund requested",
    refunded: "Refunded",
    cancelled: "Cancelled",
    processing: "Processing",
    shipped: "Shipped",
    unavailable: "Chat is unavailable right now. Please try again later.",
    busy: "We're busy right now. Please try again in a moment.",
    network: "We couldn't connect. Please check your connection and try again.",
    timeout: "The reply took too long. Please try again.",
    cut_off: "The reply was cut off. Please try again.",
    generic: "Sorry, something went wrong. Please try again.",
};

pub const DE: Strings = Strings {
    lang: "de",
    rtl: false,
    title: "Kundenservice",
    greeting: "Hallo! Wie kann ich Ihnen heute helfen?",
    open_chat: "Chat öffnen",
    close_chat: "Chat schließen",
    conversation: "Unterhaltung",
    message_label: "Nachricht eingeben",
    placeholder: "Fragen Sie nach einer Bestellung, einer Erstattung…",
    send: "Senden",
    stop: "Stopp",
    retry: "Erneut versuchen",
    new_conversation: "Neue Unterhaltung",
    confirm_reset: "Neu beginnen? Die Unterhaltung wird gelöscht.",
    clear: "Löschen",
    cancel: "Abbrechen",
    typing: "Der Assistent schreibt…",
    looking_up: "Ihre Bestellung wird gesucht…",
    stopped: "Angehalten",
    interrupted: "Unterbrochen",
    in_memory: "Diese Unterhaltung wird in diesem Browser nicht gespeichert.",
    you: "Sie:",
    assistant: "Assistent:",
    unread_one: "ungelesen",
    unread: "ungelesen",
    order: "Bestellung",
    amount: "Betrag",
    ordered: "Bestellt",
    estimated_delivery: "Voraussichtliche Lieferung",
    delivered: "Geliefert",
    refund_requested: "Erstattung beantragt",
    refunded: "Erstattet",
    cancelled: "Storniert",
    processing: "In Bearbeitung",
    shipped: "Versandt",
    unavailable: "Der Chat ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut.",
    busy: "Gerade ist viel los. Bitte versuchen Sie es gleich noch einmal.",
    network: "Keine Verbindung. Bitte prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    timeout: "Die Antwort hat zu lange gedauert. Bitte versuchen Sie es erneut.",
    cut_off: "Die Antwort wurde abgebrochen. Bitte versuchen Sie es erneut.",
    generic: "Entschuldigung, etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
};

pub const FR: Strings = Strings {
    lang: "fr",
    rtl: false,
    title: "Service client",
    greeting: "Bonjour ! Comment puis-je vous aider aujourd'hui ?",
    open_chat: "Ouvrir le chat",
    close_chat: "Fermer le chat",
    conversation: "Conversation",
    message_label: "Saisissez votre message",
    placeholder: "Une question sur une commande, un remboursement…",
    send: "Envoyer",
    stop: "Arrêter",
    retry: "Réessayer",
    new_conversation: "Nouvelle conversation",
    confirm_reset: "Recommencer ? La conversation sera effacée.",
    clear: "Effacer",
    cancel: "Annuler",
    typing: "L'assistant écrit…",
    looking_up: "Recherche de votre commande…",
    stopped: "Arrêté",
    interrupted: "Interrompu",
    in_memory: "Cette conversation ne sera pas enregistrée dans ce navigateur.",
    you: "Vous :",
    assistant: "Assistant :",
    unread_one: "non lu",
    unread: "non lus",
    order: "Commande",
    amount: "Montant",
    ordered: "Commandé le",
    estimated_delivery: "Livraison prévue",
    delivered: "Livré",
    refund_requested: "Remboursement demandé",
    refunded: "Remboursé",
    cancelled: "Annulé",
    processing: "En préparation",
    shipped: "Expédié",
    unavailable: "Le chat est indisponible pour le moment. Veuillez réessayer plus tard.",
    busy: "Nous sommes très sollicités. Veuillez réessayer dans un instant.",
    network: "Connexion impossible. Vérifiez votre connexion et réessayez.",
    timeout: "La réponse a pris trop de temps. Veuillez réessayer.",
    cut_off: "La réponse a été interrompue. Veuillez réessayer.",
    generic: "Désolé, une erreur s'est produite. Veuillez réessayer.",
};

pub const ES: Strings = Strings {
    lang: "es",
    rtl: false,
    title: "Atención al cliente",
    greeting: "¡Hola! ¿En qué puedo ayudarte hoy?",
    open_chat: "Abrir chat",
    close_chat: "Cerrar chat",
    conversation: "Conversación",
    message_label: "Escribe tu mensaje",
    placeholder: "Pregunta por un pedido, un reembolso…",
    send: "Enviar",
    stop: "Detener",
    retry: "Reintentar",
    new_conversation: "Nueva conversación",
    confirm_reset: "¿Empezar de nuevo? Se borrará la conversación.",
    clear: "Borrar",
    cancel: "Cancelar",
    typing: "El asistente está escribiendo…",
    looking_up: "Buscando tu pedido…",
    stopped: "Detenido",
    interrupted: "Interrumpido",
    in_memory: "Esta conversación no se guardará en este navegador.",
    you: "Tú:",
    assistant: "Asistente:",
    unread_one: "sin leer",
    unread: "sin leer",
    order: "Pedido",
    amount: "Importe",
    ordered: "Pedido el",
    estimated_delivery: "Entrega estimada",
    delivered: "Entregado",
    refund_requested: "Reembolso solicitado",
    refunded: "Reembolsado",
    cancelled: "Cancelado",
    processing: "En preparación",
    shipped: "Enviado",
    unavailable: "El chat no está disponible ahora. Inténtalo de nuevo más tarde.",
    busy: "Estamos muy ocupados. Inténtalo de nuevo en un momento.",
    network: "No hemos podido conectar. Revisa tu conexión e inténtalo de nuevo.",
    timeout: "La respuesta tardó demasiado. Inténtalo de nuevo.",
    cut_off: "La respuesta se cortó. Inténtalo de nuevo.",
    generic: "Lo sentimos, algo salió mal. Inténtalo de nuevo.",
};

pub const AR: Strings = Strings {
    lang: "ar",
    rtl: true,
    title: "خدمة العملاء",
    greeting: "مرحبًا! كيف يمكنني مساعدتك اليوم؟",
    open_chat: "فتح المحادثة",
    close_chat: "إغلاق المحادثة",
    conversation: "المحادثة",
    message_label: "اكتب رسالتك",
    placeholder: "اسأل عن طلب أو استرداد…",
    send: "إرسال",
    stop: "إيقاف",
    retry: "إعادة المحاولة",
    new_conversation: "محادثة جديدة",
    confirm_reset: "البدء من جديد؟ سيتم مسح المحادثة.",
    clear: "مسح",
    cancel: "إلغاء",
    typing: "المساعد يكتب…",
    looking_up: "جارٍ البحث عن طلبك…",
    stopped: "تم الإيقاف",
    interrupted: "انقطع",
    in_memory: "لن يتم حفظ هذه المحادثة في هذا المتصفح.",
    you: "أنت:",
    assistant: "المساعد:",
    unread_one: "غير مقروءة",
    unread: "غير مقروءة",
    order: "الطلب",
    amount: "المبلغ",
    ordered: "تاريخ الطلب",
    estimated_delivery: "التسليم المتوقع",
    delivered: "تم التسليم",
    refund_requested: "طُلب الاسترداد",
    refunded: "تم الاسترداد",
    cancelled: "ملغى",
    processing: "قيد المعالجة",
    shipped: "تم الشحن",
    unavailable: "المحادثة غير متاحة حاليًا. يرجى المحاولة لاحقًا.",
    busy: "لدينا ضغط حاليًا. يرجى المحاولة بعد قليل.",
    network: "تعذّر الاتصال. يرجى التحقق من اتصالك والمحاولة مرة أخرى.",
    timeout: "استغرق الرد وقتًا طويلاً. يرجى المحاولة مرة أخرى.",
    cut_off: "انقطع الرد. يرجى المحاولة مرة أخرى.",
    generic: "عذرًا، حدث خطأ ما. يرجى المحاولة مرة أخرى.",
};

/// Every supported language.
pub const ALL: [&Strings; 5] = [&EN, &DE, &FR, &ES, &AR];

/// The strings for a language tag such as `de`, `fr-CA` or `ar-EG`; English when unsupported.
pub fn for_locale(tag: &str) -> &'static Strings {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    ALL.into_iter().find(|s| s.lang == primary).unwrap_or(&EN)
}

impl Strings {
    /// A count in this language's digits (Arabic-Indic for Arabic).
    pub fn number(&self, n: u32) -> String {
        let format = js_sys::Intl::NumberFormat::new(
            &js_sys::Array::of1(&self.lang.into()),
            &js_sys::Object::new(),
        );
        format
            .format()
            .call1(&format, &n.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| n.to_string())
    }

    /// The launcher's label with `n` unread replies: "Open chat (2 unread)", "Ouvrir le chat
    /// (1 non lu)". The language's plural rule (Intl.PluralRules) picks the word.
    pub fn open_chat_unread(&self, n: u32) -> String {
        let rules = js_sys::Intl::PluralRules::new(
            &js_sys::Array::of1(&self.lang.into()),
            &js_sys::Object::new(),
        );
        let one = rules.select(f64::from(n)).as_string().as_deref() == Some("one");
        let word = if one { self.unread_one } else { self.unread };
        format!("{} ({} {})", self.open_chat, self.number(n), word)
    }

    /// What the customer reads when a turn fails; the detail goes to the console.
    pub fn error_message(&self, error: &TurnError) -> &'static str {
        match error {
            TurnError::Unavailable { .. } => self.unavailable,
            TurnError::Busy { .. } => self.busy,
            TurnError::Network(_) => self.network,
            TurnError::Timeout => self.timeout,
            TurnError::Interrupted => self.cut_off,
            TurnError::Provider(_)
            | TurnError::Rejected { .. }
            | TurnError::ToolLoop
            | TurnError::EmptyReply => self.generic,
        }
    }

    /// An order status as a badge label.
    pub fn status(&self, status: OrderStatus) -> &'static str {
        match status {
            OrderStatus::Processing => self.processing,
            OrderStatus::Shipped => self.shipped,
            OrderStatus::Delivered => self.delivered,
            OrderStatus::RefundRequested => self.refund_requested,
            OrderStatus::Refunded => self.refunded,
            OrderStatus::Cancelled => self.cancelled,
        }
    }
}

/// The developer's view of a failure, with what to fix where the site owner can fix it.
pub fn console_detail(error: &TurnError) -> String {
    match error {
        TurnError::Unavailable { status: 401, .. } => format!(
            "support-widget: {error}. The API key was refused: set the key on your support proxy \
             (UPSTREAM_API_KEY) and point `endpoint` at the proxy."
        ),
        TurnError::Unavailable { status: 403, .. } => format!(
            "support-widget: {error}. The provider refused this key for this model or plan: check \
             `model` and the account's plan."
        ),
        _ => format!("support-widget: {error}"),
    }
}

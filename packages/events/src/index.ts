export { createInProcessEventBus, type EventBus } from "./bus";
export { channels, type BatchListMessage, type BatchProgressMessage, type TradeStatusMessage } from "./channels";
export { EventPublisher, type EventPublisherOptions } from "./publisher";

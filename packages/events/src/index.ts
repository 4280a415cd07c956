export { createInProcessEventBus, type EventBus } from "./bus";
export { type BatchListMessage, type BatchProgressMessage, channels, type TradeStatusMessage } from "./channels";
export { EventPublisher, type EventPublisherOptions } from "./publisher";

/** The online charging engine and its contract with the protocol front ends. */
export { createChargingEngine, DEFAULT_ENGINE_CONFIG } from './engine';
export type { EngineConfig, OnlineChargingEngine } from './engine';
export type { EngineObserver } from './batcher';
export { purgeClosedSessions, releaseDue, sweepExpired, startSweeper } from './sweeper';
export { reconcileHolders, reconcileLedger, reconcileRefunds } from './reconcile';
export type { LedgerDifference } from './reconcile';
export * from './types';

/**
 * Where the collection of a postpaid account stands: current; a bill overdue and chased
 * (overdue, reminded, finalReminder, suspended); terminated for non-payment or on request; and
 * after the final bill, `closed` when nothing is owed or `inCollection` when the balance was
 * passed to debt collection.
 */
export type CollectionState = 'current' | 'overdue' | 'reminded' | 'finalReminder' | 'suspended' | 'terminated' | 'inCollection' | 'closed';

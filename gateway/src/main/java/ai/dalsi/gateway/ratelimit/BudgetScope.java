package ai.dalsi.gateway.ratelimit;

/** Whose monthly budget: the key's own, or its owner's over all their keys. */
public enum BudgetScope {
    KEY,
    USER
}

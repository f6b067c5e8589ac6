// Placeholder replaced by the client-state reducer (work in progress).
export {};

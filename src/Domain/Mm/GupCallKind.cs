namespace Phyr.Domain.Mm;

/// <summary>Which GUP call a CPU makes: pin_user_pages (a page array) or get_user_phyrs (phyr ranges).</summary>
public enum GupCallKind { PinUserPages, GetUserPhyrs }

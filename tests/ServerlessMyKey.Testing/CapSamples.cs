using System.Globalization;

namespace ServerlessMyKey.Testing;

/// <summary>
/// CAP 1.2 alerts for tests: the four examples of the OASIS standard (CAP-v1.2, Appendix A), written
/// from their published facts (identifiers, senders, times, codes and texts), and a Japanese evacuation
/// order (避難指示) of the kind Lアラート carries, for 美波町 (363880) with the geocodes, level and shelters
/// this service reads.
/// </summary>
public static class CapSamples
{
    public const string Namespace = "urn:oasis:names:tc:emergency:cap:1.2";

    /// <summary>A.1 Homeland Security Advisory System alert.</summary>
    public const string HomelandSecurity = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>43b080713727</identifier>
          <sender>hsas@dhs.gov</sender>
          <sent>2003-04-02T14:39:01-05:00</sent>
          <status>Actual</status>
          <msgType>Alert</msgType>
          <scope>Public</scope>
          <info>
            <category>Security</category>
            <event>Homeland Security Advisory System Update</event>
            <urgency>Immediate</urgency>
            <severity>Severe</severity>
            <certainty>Likely</certainty>
            <senderName>U.S. Government, Department of Homeland Security</senderName>
            <headline>Homeland Security Sets Code ORANGE</headline>
            <description>The Department of Homeland Security has elevated the Homeland Security Advisory System threat level to ORANGE / High in response to intelligence which may indicate a heightened threat of terrorism.</description>
            <instruction>A High Condition is declared when there is a high risk of terrorist attacks. In addition to the Protective Measures taken in the previous Threat Condition, Federal departments and agencies should consider agency-specific Protective Measures in accordance with their existing plans.</instruction>
            <web>http://www.dhs.gov/dhspublic/display?theme=29</web>
            <parameter>
              <valueName>HSAS</valueName>
              <value>ORANGE</value>
            </parameter>
            <resource>
              <resourceDesc>Image file (GIF)</resourceDesc>
              <mimeType>image/gif</mimeType>
              <uri>http://www.dhs.gov/dhspublic/getAdvisoryImage</uri>
            </resource>
            <area>
              <areaDesc>U.S. nationwide and interests worldwide</areaDesc>
            </area>
          </info>
        </alert>
        """;

    /// <summary>A.2 Severe thunderstorm warning.</summary>
    public const string SevereThunderstorm = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>KSTO1055887203</identifier>
          <sender>KSTO@NWS.NOAA.GOV</sender>
          <sent>2003-06-17T14:57:00-07:00</sent>
          <status>Actual</status>
          <msgType>Alert</msgType>
          <scope>Public</scope>
          <info>
            <category>Met</category>
            <event>SEVERE THUNDERSTORM</event>
            <responseType>Shelter</responseType>
            <urgency>Immediate</urgency>
            <severity>Severe</severity>
            <certainty>Observed</certainty>
            <eventCode>
              <valueName>SAME</valueName>
              <value>SVR</value>
            </eventCode>
            <expires>2003-06-17T16:00:00-07:00</expires>
            <senderName>NATIONAL WEATHER SERVICE SACRAMENTO CA</senderName>
            <headline>SEVERE THUNDERSTORM WARNING</headline>
            <description>AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED A SEVERE THUNDERSTORM OVER SOUTH CENTRAL ALPINE COUNTY...OR ABOUT 18 MILES SOUTHEAST OF KIRKWOOD...MOVING SOUTHWEST AT 5 MPH. HAIL...INTENSE RAIN AND STRONG DAMAGING WINDS ARE LIKELY WITH THIS STORM.</description>
            <instruction>TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.</instruction>
            <contact>BARUFFALDI/JUSKIE</contact>
            <area>
              <areaDesc>EXTREME NORTH CENTRAL TUOLUMNE COUNTY IN CALIFORNIA, EXTREME NORTHEASTERN CALAVERAS COUNTY IN CALIFORNIA, SOUTHWESTERN ALPINE COUNTY IN CALIFORNIA</areaDesc>
              <polygon>38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14</polygon>
              <geocode>
                <valueName>SAME</valueName>
                <value>006109</value>
              </geocode>
              <geocode>
                <valueName>SAME</valueName>
                <value>006009</value>
              </geocode>
              <geocode>
                <valueName>SAME</valueName>
                <value>006003</value>
              </geocode>
            </area>
          </info>
        </alert>
        """;

    /// <summary>A.3 Earthquake report (an Update of TRI13970876.1).</summary>
    public const string EarthquakeUpdate = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>TRI13970876.2</identifier>
          <sender>trinet@caltech.edu</sender>
          <sent>2003-06-11T20:56:00-07:00</sent>
          <status>Actual</status>
          <msgType>Update</msgType>
          <scope>Public</scope>
          <references>trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00</references>
          <info>
            <category>Geo</category>
            <event>Earthquake</event>
            <urgency>Past</urgency>
            <severity>Minor</severity>
            <certainty>Observed</certainty>
            <senderName>Southern California Seismic Network (TriNet) operated by Caltech and USGS</senderName>
            <headline>EQ 3.4 Imperial County CA</headline>
            <description>A minor earthquake measuring 3.4 on the Richter scale occurred near Brawley, California at 8:53 PM Pacific Daylight Time on Wednesday, June 11, 2003. (This event has now been reviewed by a seismologist)</description>
            <web>http://www.trinet.org/scsn/scsn.html</web>
            <parameter><valueName>EventID</valueName><value>13970876</value></parameter>
            <parameter><valueName>Version</valueName><value>1</value></parameter>
            <parameter><valueName>Magnitude</valueName><value>3.4 Ml</value></parameter>
            <parameter><valueName>Depth</valueName><value>11.8 mi.</value></parameter>
            <parameter><valueName>Quality</valueName><value>Excellent</value></parameter>
            <area>
              <areaDesc>1 mi. WSW of Brawley, CA; 11 mi. N of El Centro, CA; 30 mi. E of OCOTILLO (quarry); 1 mi. N of the Imperial Fault</areaDesc>
              <circle>32.9525,-115.5527 0</circle>
            </area>
          </info>
        </alert>
        """;

    /// <summary>A.4 AMBER alert.</summary>
    public const string AmberAlert = """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>KAR0-0306112239-SW</identifier>
          <sender>KARO@CLETS.DOJ.CA.GOV</sender>
          <sent>2003-06-11T22:39:00-07:00</sent>
          <status>Actual</status>
          <msgType>Alert</msgType>
          <source>SW</source>
          <scope>Public</scope>
          <info>
            <category>Rescue</category>
            <event>Child Abduction</event>
            <urgency>Immediate</urgency>
            <severity>Severe</severity>
            <certainty>Likely</certainty>
            <eventCode>
              <valueName>SAME</valueName>
              <value>CAE</value>
            </eventCode>
            <senderName>Los Angeles Police Dept - LAPD</senderName>
            <headline>Amber Alert in Los Angeles County</headline>
            <description>DATE/TIME: 06/11/03, 1915 HRS. VICTIM(S): KHAYRI DOE JR. M/B BLK/BRO 3'0", 40 LBS. LIGHT COMPLEXION. DOB 06/24/01. WEARING RED SHORTS, WHITE T-SHIRT, W/BLUE COLLAR. LOCATION: 5721 DOE ST., LOS ANGELES, CA. SUSPECT(S): KHAYRI DOE SR. DOB 04/18/71 M/B, BLK HAIR, BRO EYE. VEHICLE: 81' BUICK 2-DR, BLUE (4XXX000).</description>
            <contact>DET. SMITH, 77TH DIV, LOS ANGELES POLICE DEPT-LAPD AT 213 485-2389</contact>
            <area>
              <areaDesc>Los Angeles County</areaDesc>
              <geocode>
                <valueName>SAME</valueName>
                <value>006037</value>
              </geocode>
            </area>
          </info>
        </alert>
        """;

    public static IReadOnlyList<string> OasisExamples { get; } = [HomelandSecurity, SevereThunderstorm, EarthquakeUpdate, AmberAlert];

    /// <summary>
    /// 美波町's evacuation order (避難指示, 警戒レベル4) for a tsunami, with two shelters; <paramref name="districtCode"/>
    /// narrows it to one district. Times in JST with an explicit +09:00 offset, as CAP requires.
    /// </summary>
    public static string EvacuationOrder(string identifier, DateTimeOffset sent, string status = "Actual", int level = 4, string? districtCode = null, string municipalityCode = "363880", TimeSpan? lifetime = null)
    {
        var jst = TimeSpan.FromHours(9);
        string Time(DateTimeOffset t) => t.ToOffset(jst).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var district = districtCode is null ? string.Empty : $"""

                  <geocode>
                    <valueName>districtCode</valueName>
                    <value>{districtCode}</value>
                  </geocode>
            """;
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>{identifier}</identifier>
              <sender>bousai@town.minami.tokushima.jp</sender>
              <sent>{Time(sent)}</sent>
              <status>{status}</status>
              <msgType>Alert</msgType>
              <scope>Public</scope>
              <info>
                <language>ja-JP</language>
                <category>Geo</category>
                <category>Safety</category>
                <event>避難指示</event>
                <responseType>Evacuate</responseType>
                <urgency>Immediate</urgency>
                <severity>Extreme</severity>
                <certainty>Observed</certainty>
                <effective>{Time(sent)}</effective>
                <expires>{Time(sent + (lifetime ?? TimeSpan.FromHours(12)))}</expires>
                <senderName>美波町災害対策本部</senderName>
                <headline>【警戒レベル{level}】美波町に避難指示を発令</headline>
                <description>津波警報の発表に伴い、美波町の沿岸部に避難指示を発令しました。</description>
                <instruction>直ちに高台の指定緊急避難場所へ避難してください。</instruction>
                <parameter>
                  <valueName>EvacuationLevel</valueName>
                  <value>{level}</value>
                </parameter>
                <parameter>
                  <valueName>Shelter</valueName>
                  <value>美波町役場</value>
                </parameter>
                <parameter>
                  <valueName>Shelter</valueName>
                  <value>日和佐小学校</value>
                </parameter>
                <area>
                  <areaDesc>徳島県海部郡美波町</areaDesc>
                  <geocode>
                    <valueName>JISX0402</valueName>
                    <value>{municipalityCode}</value>
                  </geocode>{district}
                </area>
              </info>
            </alert>
            """;
    }

    /// <summary>An Update (the evacuation order's form, its own level, district and municipality) of an earlier alert of the same sender.</summary>
    public static string Update(string identifier, DateTimeOffset sent, string updatedIdentifier, DateTimeOffset updatedSent, int level, string? districtCode = null, string municipalityCode = "363880")
    {
        var order = EvacuationOrder(identifier, sent, level: level, districtCode: districtCode, municipalityCode: municipalityCode, lifetime: TimeSpan.FromDays(3650));
        var updated = updatedSent.ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return order
            .Replace("<msgType>Alert</msgType>", "<msgType>Update</msgType>", StringComparison.Ordinal)
            .Replace("<scope>Public</scope>", $"<scope>Public</scope>\n  <references>bousai@town.minami.tokushima.jp,{updatedIdentifier},{updated}</references>", StringComparison.Ordinal);
    }

    /// <summary>A Cancel of an earlier alert of 美波町 (its sender, identifier and sent).</summary>
    public static string Cancel(string identifier, DateTimeOffset sent, string cancelledIdentifier, DateTimeOffset cancelledSent, string status = "Actual")
    {
        var jst = TimeSpan.FromHours(9);
        string Time(DateTimeOffset t) => t.ToOffset(jst).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>{identifier}</identifier>
              <sender>bousai@town.minami.tokushima.jp</sender>
              <sent>{Time(sent)}</sent>
              <status>{status}</status>
              <msgType>Cancel</msgType>
              <scope>Public</scope>
              <references>bousai@town.minami.tokushima.jp,{cancelledIdentifier},{Time(cancelledSent)}</references>
              <info>
                <language>ja-JP</language>
                <category>Geo</category>
                <event>避難指示の解除</event>
                <urgency>Past</urgency>
                <severity>Minor</severity>
                <certainty>Observed</certainty>
                <headline>美波町の避難指示を解除</headline>
                <area>
                  <areaDesc>徳島県海部郡美波町</areaDesc>
                  <geocode>
                    <valueName>JISX0402</valueName>
                    <value>363880</value>
                  </geocode>
                </area>
              </info>
            </alert>
            """;
    }
}

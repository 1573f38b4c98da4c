use strict;
use warnings;

my $s = <STDIN>;
$s =~ s/^\s+|\s+$//g;
# TODO: reverse $s.
my $answer = $s;
print "$answer\n";
